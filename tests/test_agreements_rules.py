"""Agreement rules (issue 13 part 9): completing needs every milestone closed and the effective
date reached; contradictory dates are refused or warned about; status messages read as labels;
the terminate confirmation says what will happen; the audit log exports as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlmodel import select

from portal.agreements import services
from portal.agreements.consistency import milestone_warnings
from portal.agreements.models import Agreement
from portal.audit.models import AuditEntry
from portal.dates import local_today
from portal.errors import ServiceError
from tests import factories


def test_completing_needs_every_milestone_accepted_or_waived(app, client, db, login_as):
    agreement = factories.make_agreement(db)
    factories.make_milestone(db, agreement, title="Accepted one", status="accepted")
    factories.make_milestone(db, agreement, title="Waived one", status="waived")
    still_open = factories.make_milestone(db, agreement, title="Still planned")
    login_as("staff")

    response = client.post_form(
        f"/admin/agreements/{agreement.id}/status",
        {"to_status": "completed", "version": agreement.version},
        follow_redirects=True,
    )
    assert "1 milestone(s) are neither accepted nor waived" in response.get_data(as_text=True)
    db.refresh(agreement)
    assert agreement.status == "active"

    db.refresh(still_open)
    still_open.status = "waived"
    db.add(still_open)
    db.commit()
    response = client.post_form(
        f"/admin/agreements/{agreement.id}/status",
        {"to_status": "completed", "version": agreement.version},
        follow_redirects=True,
    )
    assert f"{agreement.reference} is now completed." in response.get_data(as_text=True)


def test_an_agreement_cannot_be_completed_before_it_takes_effect(app, db):
    future = local_today() + timedelta(days=30)
    agreement = factories.make_agreement(db, effective_on=future, signed_on=local_today())
    with app.test_request_context(), pytest.raises(ServiceError, match="before it takes effect"):
        services.transition_agreement(db, agreement, "completed", version=agreement.version)
    db.rollback()
    assert db.get(Agreement, agreement.id).status == "active"


def test_signed_after_expiry_is_refused_and_changes_nothing(app, client, db, login_as):
    agreement = factories.make_agreement(db, status="draft", expires_on=date(2027, 1, 1))
    with app.test_request_context(), pytest.raises(ServiceError, match="signed after it expires"):
        services.update_agreement(
            db, agreement, version=agreement.version, signed_on=date(2027, 2, 1)
        )
    db.rollback()
    assert db.get(Agreement, agreement.id).signed_on == date(2025, 1, 1)


def test_editing_an_agreements_technologies_is_one_audited_change(app, db):
    first = factories.make_technology(db, slug="first-cell")
    second = factories.make_technology(db, slug="second-cell")
    agreement = factories.make_agreement(db)
    with app.test_request_context():
        services.update_agreement(
            db, agreement, version=agreement.version, technology_ids=[first.id]
        )
        services.update_agreement(
            db,
            agreement,
            version=agreement.version,
            title="Renamed",
            technology_ids=[second.id, first.id],
        )
    entries = db.exec(
        select(AuditEntry).where(AuditEntry.action == "agreement.updated").order_by(AuditEntry.id)
    ).all()
    assert [entry.changes["after"] for entry in entries] == [
        {"technology_ids": [first.id]},
        {"technology_ids": sorted([first.id, second.id]), "title": "Renamed"},
    ]
    assert entries[1].changes["before"]["technology_ids"] == [first.id]
    assert db.get(Agreement, agreement.id).version == 3


def test_milestone_due_before_signature_is_warned_about(app, client, db, login_as):
    agreement = factories.make_agreement(
        db, signed_on=date(2025, 3, 1), effective_on=date(2025, 3, 1)
    )
    early = factories.make_milestone(
        db, agreement, title="Kick-off report", due_on=date(2025, 2, 1), status="submitted"
    )
    login_as("staff")
    page = client.get(f"/admin/agreements/{agreement.id}").get_data(as_text=True)
    assert "Dates to check" in page
    assert (
        "“Kick-off report” is due on 01-02-2025, before the agreement was signed (01-03-2025)."
        in page
    )

    # Accepting it still works, but says so.
    response = client.post_form(
        f"/admin/milestones/{early.id}/status",
        {"to_status": "accepted", "version": early.version},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert (
        "is now accepted" in html
        and "flash-warning" in html
        and "before the agreement was signed" in html
    )


def test_each_due_date_rule_is_said_once_in_english_and_hindi(app, db):
    agreement = factories.make_agreement(
        db,
        signed_on=date(2025, 3, 1),
        effective_on=date(2025, 4, 1),
        expires_on=date(2026, 3, 1),
    )
    before_both = factories.make_milestone(db, agreement, title="A", due_on=date(2025, 2, 1))
    before_effect = factories.make_milestone(db, agreement, title="B", due_on=date(2025, 3, 15))
    after_expiry = factories.make_milestone(db, agreement, title="C", due_on=date(2026, 4, 1))
    inside = factories.make_milestone(db, agreement, title="D", due_on=date(2025, 6, 1))
    with app.test_request_context():
        # Before signing says it all: the later "before it takes effect" is not repeated.
        assert milestone_warnings(agreement, before_both) == [
            "“A” is due on 01-02-2025, before the agreement was signed (01-03-2025)."
        ]
        assert milestone_warnings(agreement, before_effect) == [
            "“B” is due on 15-03-2025, before the agreement takes effect (01-04-2025)."
        ]
        assert milestone_warnings(agreement, after_expiry) == [
            "“C” is due on 01-04-2026, after the agreement expires (01-03-2026)."
        ]
        assert milestone_warnings(agreement, inside) == []
        with force_locale("hi"):
            (hindi,) = milestone_warnings(agreement, before_both)
    assert "हस्ताक्षर (01-03-2025)" in hindi and "“A”" in hindi


def test_status_messages_use_labels(app, client, db, login_as):
    agreement = factories.make_agreement(db, status="draft", signed_on=None)
    login_as("staff")
    response = client.post_form(
        f"/admin/agreements/{agreement.id}/status",
        {"to_status": "negotiation", "version": agreement.version},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert f"{agreement.reference} is now in negotiation." in html
    assert "is now negotiation" not in html


def test_terminate_confirmation_names_what_will_happen(app, client, db, login_as):
    organization = factories.make_organization(db)
    agreement = factories.make_agreement(db, organization)
    factories.make_milestone(db, agreement)
    factories.make_milestone(db, agreement, status="accepted")
    factories.make_dataset_grant(
        db, factories.make_dataset(db), organization, agreement_id=agreement.id
    )
    login_as("staff")
    page = client.get(f"/admin/agreements/{agreement.id}").get_data(as_text=True)
    assert (
        f"Terminate agreement {agreement.reference} with {organization.name}? It ends now for both "
        "sides and cannot be undone: its terms and milestones can no longer change, 1 open milestone(s) stop being reminded, 1 dataset grant(s) under it stop giving "
        "access, and the partner sees it as terminated."
    ) in page.replace("&#39;", "'")
    assert "Are you sure?" not in page


def test_audit_log_exports_as_csv_for_staff_only(app, client, db, login_as):
    staff = login_as("staff")
    agreement = factories.make_agreement(db, status="draft", signed_on=None)
    client.post_form(
        f"/admin/agreements/{agreement.id}/status",
        {"to_status": "negotiation", "version": agreement.version},
    )
    db.add(AuditEntry(action="test.formula", target_label='=HYPERLINK("x")'))
    db.commit()

    response = client.get("/admin/audit/export.csv?action=agreement.")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["action"] for r in rows] == ["agreement.status_changed"]
    assert rows[0]["actor_label"] == staff.email and '"negotiation"' in rows[0]["changes"]

    everything = list(
        csv.DictReader(io.StringIO(client.get("/admin/audit/export.csv").get_data(as_text=True)))
    )
    formula = next(r for r in everything if r["action"] == "test.formula")
    assert formula["target_label"].startswith("'=")  # never run as a spreadsheet formula
    assert len(everything) == len(db.exec(select(AuditEntry)).all())

    partner_client = app.test_client()
    login_as("partner", client_=partner_client)
    assert partner_client.get("/admin/audit/export.csv").status_code in (403, 404)


def _new_mou(client, organization, staff, **extra):
    return client.post_form(
        "/admin/agreements/new",
        {
            "kind": "mou",
            "title": "Code list MoU",
            "organization_id": organization.id,
            "responsible_staff_id": staff.id,
            "scope": "Cells.",
            **extra,
        },
    )


def test_a_code_list_left_out_of_the_form_takes_its_default(client, db, login_as):
    organization = factories.make_organization(db)
    staff = login_as("staff")
    assert _new_mou(client, organization, staff).status_code == 302
    agreement = db.exec(select(Agreement).where(Agreement.title == "Code list MoU")).one()
    assert (agreement.royalty_period, agreement.exclusivity) == ("quarterly", "")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("royalty_period", "", "Not a valid choice"),
        ("royalty_period", "monthly", "Not a valid choice"),
        ("kind", "", "This field is required"),
    ],
)
def test_a_value_outside_a_code_list_is_refused_with_a_message_and_nothing_saved(
    client, db, login_as, field, value, message
):
    organization = factories.make_organization(db)
    staff = login_as("staff")
    response = _new_mou(client, organization, staff, **{field: value})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.exec(select(Agreement).where(Agreement.title == "Code list MoU")).all() == []
