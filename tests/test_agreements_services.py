"""Status rules, derived expiry, optimistic locking, audit and the sweep."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from portal.agreements import services, status
from portal.agreements.models import Agreement, Milestone
from portal.audit.models import AuditEntry
from portal.errors import ConflictError, ServiceError
from tests import factories


def audit_count(db, action: str | None = None) -> int:
    query = select(func.count(AuditEntry.id))
    if action:
        query = query.where(AuditEntry.action == action)
    return db.exec(query).one()


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("draft", "active"),
        ("draft", "completed"),
        ("negotiation", "active"),
        ("signed", "completed"),
        ("completed", "active"),
        ("terminated", "draft"),
        ("expired", "active"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(
    app, client, db, login_as, start, target
):
    login_as("staff")
    agreement = factories.make_agreement(db, status=start)
    before = audit_count(db)
    response = client.post_form(
        f"/admin/agreements/{agreement.id}/status",
        {"to_status": target, "version": agreement.version},
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "cannot become" in page
    db.refresh(agreement)
    assert (agreement.status, agreement.version) == (start, 1)
    assert audit_count(db) == before


def test_legal_transition_is_audited_with_before_and_after(app, client, db, login_as):
    login_as("staff")
    agreement = factories.make_agreement(db, status="active")
    client.post_form(
        f"/admin/agreements/{agreement.id}/status",
        {"to_status": "terminated", "version": 1, "reason": "Partner closed the plant"},
    )
    db.refresh(agreement)
    assert agreement.status == "terminated" and agreement.version == 2
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "agreement.status_changed")).one()
    assert entry.changes["before"]["status"] == "active"
    assert entry.changes["after"]["status"] == "terminated"
    assert entry.changes["reason"] == "Partner closed the plant"


def test_stale_version_is_a_conflict(app, client, db, login_as):
    login_as("staff")
    organization = factories.make_organization(db)
    agreement = factories.make_agreement(db, organization=organization, title="Original")
    form = {
        "version": "1",
        "title": "Mine",
        "kind": "mou",
        "organization_id": organization.id,
        "responsible_staff_id": "0",
    }
    assert client.post_form(f"/admin/agreements/{agreement.id}/edit", form).status_code == 302
    db.refresh(agreement)
    assert (agreement.title, agreement.version) == ("Mine", 2)
    response = client.post_form(
        f"/admin/agreements/{agreement.id}/edit", {**form, "title": "Theirs"}
    )
    assert response.status_code == 409
    assert "Someone else changed this record" in response.get_data(as_text=True)
    db.refresh(agreement)
    assert (agreement.title, agreement.version) == ("Mine", 2)
    with app.test_request_context(), pytest.raises(ConflictError):
        services.transition_agreement(db, agreement, "completed", version=1)


def test_unexpected_fields_are_ignored(app, client, db, login_as):
    login_as("staff")
    organization = factories.make_organization(db)
    agreement = factories.make_agreement(db, organization=organization, status="draft")
    client.post_form(
        f"/admin/agreements/{agreement.id}/edit",
        {
            "version": "1",
            "kind": "mou",
            "organization_id": organization.id,
            "responsible_staff_id": "0",
            "status": "active",
            "reference": "HACKED-1",
        },
    )
    db.refresh(agreement)
    assert agreement.status == "draft" and agreement.reference != "HACKED-1"


def test_active_agreement_past_expiry_reads_expired_everywhere(app, db):
    today = date(2026, 3, 1)
    lapsed = factories.make_agreement(db, expires_on=date(2026, 2, 28))
    current = factories.make_agreement(db, expires_on=date(2026, 3, 1))
    open_ended = factories.make_agreement(db, expires_on=None)
    assert status.effective_status(lapsed, today) == "expired"
    assert status.effective_status(current, today) == "active"
    assert status.effective_status(open_ended, today) == "active"
    active_ids = set(
        db.exec(select(Agreement.id).where(status.active_agreement_clause(today))).all()
    )
    assert active_ids == {current.id, open_ended.id}
    expired_ids = set(
        db.exec(select(Agreement.id).where(status.effective_status_clause("expired", today))).all()
    )
    assert expired_ids == {lapsed.id}


def test_sweep_persists_expiry_once(app, db):
    lapsed = factories.make_agreement(db, expires_on=date(2026, 2, 28))
    factories.make_agreement(db, expires_on=date(2026, 3, 1))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sweep", "--today", "2026-03-01"])
    assert result.exit_code == 0 and "1 agreement(s) expired" in result.output
    db.refresh(lapsed)
    assert lapsed.status == "expired" and lapsed.version == 2
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "agreement.expired")).one()
    assert entry.changes["before"]["status"] == "active" and entry.target_id == str(lapsed.id)
    again = runner.invoke(args=["sweep", "--today", "2026-03-01"])
    assert "0 agreement(s) expired" in again.output
    assert audit_count(db, "agreement.expired") == 1
    bad = runner.invoke(args=["sweep", "--today", "yesterday"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_milestone_rules(app, db):
    milestone = factories.make_milestone(db)
    with app.test_request_context():

        def move(target: str, **kwargs):
            services.transition_milestone(
                db, milestone, target, version=milestone.version, **kwargs
            )

        with pytest.raises(ServiceError, match="cannot become"):
            move("accepted")
        with pytest.raises(ServiceError, match="Say why"):
            move("waived")
        move("submitted")
        move("rejected", reason="Photos missing")
        assert milestone.status == "rejected" and milestone.version == 3
        move("waived", reason="Not needed after all")
        with pytest.raises(ServiceError):
            move("in_progress")
    db.rollback()


def test_overdue_is_derived(app, db):
    today = date(2026, 5, 10)
    late = factories.make_milestone(db, due_on=today - timedelta(days=1))
    done = factories.make_milestone(db, due_on=today - timedelta(days=1), status="accepted")
    waiting = factories.make_milestone(db, due_on=today - timedelta(days=1), status="submitted")
    factories.make_milestone(db, due_on=today)
    assert late.is_overdue(today) and waiting.is_overdue(today) and not done.is_overdue(today)
    ids = set(db.exec(select(Milestone.id).where(status.milestone_overdue_clause(today))).all())
    assert ids == {late.id, waiting.id}


def test_staff_milestone_actions_inline_with_htmx(app, client, db, login_as):
    login_as("staff")
    milestone = factories.make_milestone(db)
    response = client.post_form(
        f"/admin/milestones/{milestone.id}/status",
        {"to_status": "waived", "version": "1", "reason": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "Say why" in response.get_data(as_text=True)
    response = client.post_form(
        f"/admin/milestones/{milestone.id}/status",
        {"to_status": "in_progress", "version": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    db.refresh(milestone)
    assert milestone.status == "in_progress"


def test_admin_list_filters_never_fail(app, client, db, login_as):
    login_as("staff")
    mou = factories.make_agreement(db, kind="mou", expires_on=date.today() + timedelta(days=20))
    licence = factories.make_agreement(db, kind="license", status="signed")
    page = client.get("/admin/agreements?status=active&kind=mou&expiring=30").get_data(as_text=True)
    assert mou.reference in page and licence.reference not in page
    for query in (
        "status=%27;drop",
        "expiring=abc",
        "expiring=-5",
        "org=x",
        "page=999999999",
        "q=" + "x" * 5000,
    ):
        assert client.get(f"/admin/agreements?{query}").status_code == 200
        assert client.get(f"/admin/milestones?{query}").status_code == 200


def test_a_status_change_without_its_version_is_a_conflict(app, client, db, login_as):
    login_as("staff")
    agreement = factories.make_agreement(db, status="signed")
    milestone = factories.make_milestone(db, agreement)
    before = audit_count(db)
    with app.test_request_context():
        with pytest.raises(ConflictError):
            services.transition_agreement(db, agreement, "active", version=None)
        with pytest.raises(ConflictError):
            services.transition_milestone(db, milestone, "in_progress", version=None)
    db.rollback()
    # The one-click buttons carry their version; a bare POST (or a stale page) changes nothing.
    for data in ({}, {"version": "7"}):
        page = client.post_form(
            f"/admin/agreements/{agreement.id}/status",
            {"to_status": "active", **data},
            follow_redirects=True,
        ).get_data(as_text=True)
        assert "Someone else changed this record" in page
        response = client.post_form(
            f"/admin/milestones/{milestone.id}/status",
            {"to_status": "in_progress", **data},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 400
        assert "Someone else changed this record" in response.get_data(as_text=True)
    db.refresh(agreement)
    db.refresh(milestone)
    assert (agreement.status, agreement.version) == ("signed", 1)
    assert (milestone.status, milestone.version) == ("planned", 1)
    assert audit_count(db) == before


def test_the_expiry_rule_reads_the_same_in_python_and_in_sql(app, db):
    today = date(2026, 3, 1)
    made = [
        factories.make_agreement(db, status=status, expires_on=expires_on)
        for status in ("draft", "signed", "active", "completed", "expired", "terminated")
        for expires_on in (None, today - timedelta(days=1), today, today + timedelta(days=1))
    ]
    in_sql = dict(db.exec(select(Agreement.id, Agreement.status_on(today))).all())
    assert in_sql == {a.id: a.status_on(today) for a in made}
    assert {a.id for a in made if a.status_on(today) == "expired"} == set(
        db.exec(select(Agreement.id).where(status.effective_status_clause("expired", today))).all()
    )
    assert {a.id for a in made if a.status_on(today) in ("signed", "active")} == set(
        db.exec(select(Agreement.id).where(status.live_agreement_clause(today))).all()
    )


def test_pages_show_the_labels_of_codes(app, client, db, login_as):
    login_as("staff")
    agreement = factories.make_agreement(
        db, kind="license", status="negotiation", exclusivity="non_exclusive"
    )
    factories.make_milestone(db, agreement, kind="pilot", status="in_progress")
    page = client.get(f"/admin/agreements/{agreement.id}").get_data(as_text=True)
    for label in ("Licence", "In negotiation", "Non-exclusive", "Pilot batch", "In progress"):
        assert label in page, label
    assert "non_exclusive" not in page and "in_progress</span>" not in page


def test_terminate_asks_a_question_that_names_the_agreement(client, db, login_as):
    login_as("staff")
    organization = factories.make_organization(db, name="Voltcraft Mobility")
    agreement = factories.make_agreement(db, organization=organization, status="active")
    page = client.get(f"/admin/agreements/{agreement.id}").get_data(as_text=True)
    assert "Are you sure?" not in page
    question = re.search(r'data-confirm="(Terminate agreement [^"]+)"', page).group(1)
    assert agreement.reference in question and "Voltcraft Mobility" in question
    assert "cannot be undone" in question
