"""Status rules, derived expiry, optimistic locking, audit and the sweep."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from portal.agreements import services
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
    assert services.effective_status(lapsed, today) == "expired"
    assert services.effective_status(current, today) == "active"
    assert services.effective_status(open_ended, today) == "active"
    active_ids = set(
        db.exec(select(Agreement.id).where(services.active_agreement_clause(today))).all()
    )
    assert active_ids == {current.id, open_ended.id}
    expired_ids = set(
        db.exec(
            select(Agreement.id).where(services.effective_status_clause("expired", today))
        ).all()
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
        with pytest.raises(ServiceError, match="cannot become"):
            services.transition_milestone(db, milestone, "accepted")
        with pytest.raises(ServiceError, match="Say why"):
            services.transition_milestone(db, milestone, "waived")
        services.transition_milestone(db, milestone, "submitted")
        services.transition_milestone(db, milestone, "rejected", reason="Photos missing")
        assert milestone.status == "rejected" and milestone.version == 3
        services.transition_milestone(db, milestone, "waived", reason="Not needed after all")
        with pytest.raises(ServiceError):
            services.transition_milestone(db, milestone, "in_progress")
    db.rollback()


def test_overdue_is_derived(app, db):
    today = date(2026, 5, 10)
    late = factories.make_milestone(db, due_on=today - timedelta(days=1))
    done = factories.make_milestone(db, due_on=today - timedelta(days=1), status="accepted")
    waiting = factories.make_milestone(db, due_on=today - timedelta(days=1), status="submitted")
    factories.make_milestone(db, due_on=today)
    assert late.is_overdue(today) and waiting.is_overdue(today) and not done.is_overdue(today)
    ids = set(db.exec(select(Milestone.id).where(services.milestone_overdue_clause(today))).all())
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
