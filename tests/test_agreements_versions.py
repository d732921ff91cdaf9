"""Renewals and amendments are new draft agreements linked to the version they follow; the
agreement page shows the history as a timeline (partners never see staff drafts)."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from portal.agreements.models import Agreement, AgreementTechnology
from portal.audit.models import AuditEntry
from tests import factories


def test_renewal_copies_terms_shifts_dates_and_links_back(app, client, db, login_as):
    organization = factories.make_organization(db)
    technology = factories.make_technology(db)
    original = factories.make_agreement(
        db,
        organization,
        kind="license",
        title="Sodium-ion cathode licence",
        field_of_use="Stationary storage",
        effective_on=date(2026, 1, 1),
        expires_on=date(2030, 12, 31),
    )
    db.add(AgreementTechnology(agreement_id=original.id, technology_id=technology.id))
    db.commit()
    login_as("staff")

    response = client.post_form(f"/admin/agreements/{original.id}/follow-up", {"kind": "renewal"})
    assert response.status_code == 303
    renewal = db.exec(select(Agreement).where(Agreement.previous_id == original.id)).one()
    assert response.headers["Location"].endswith(f"/admin/agreements/{renewal.id}/edit")
    assert renewal.reference == f"{original.reference}-R1"
    assert (renewal.status, renewal.change_kind) == ("draft", "renewal")
    assert renewal.field_of_use == "Stationary storage" and renewal.kind == "license"
    # The renewal starts the day after the original ends and runs as long as it did.
    assert renewal.effective_on == date(2031, 1, 1)
    assert renewal.expires_on - renewal.effective_on == date(2030, 12, 31) - date(2026, 1, 1)
    assert renewal.signed_on is None
    assert db.exec(
        select(AgreementTechnology.technology_id).where(
            AgreementTechnology.agreement_id == renewal.id
        )
    ).all() == [technology.id]
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "agreement.renewal_drafted")).one()

    client.post_form(f"/admin/agreements/{original.id}/follow-up", {"kind": "amendment"})
    amendment = db.exec(select(Agreement).where(Agreement.change_kind == "amendment")).one()
    assert amendment.reference == f"{original.reference}-A1"
    assert (amendment.effective_on, amendment.expires_on) == (
        original.effective_on,
        original.expires_on,
    )

    page = client.get(f"/admin/agreements/{renewal.id}").get_data(as_text=True)
    history = page[page.index('id="history-heading"') :]
    order = [
        history.index(ref)
        for ref in (original.reference + "<", renewal.reference, amendment.reference)
    ]
    assert order == sorted(order), "the timeline lists the versions oldest first"
    assert "Renewal" in history and "Amendment" in history and "Original" in history


def test_partner_timeline_hides_drafts(app, client, db, login_as):
    organization = factories.make_organization(db)
    original = factories.make_agreement(db, organization)
    signed = factories.make_agreement(
        db, organization, status="signed", previous_id=original.id, change_kind="amendment"
    )
    draft = factories.make_agreement(
        db, organization, status="draft", previous_id=signed.id, change_kind="renewal"
    )
    login_as("partner", organization)
    page = client.get(f"/agreements/{original.id}").get_data(as_text=True)
    assert signed.reference in page and draft.reference not in page
    assert "History" in page


def test_draft_or_terminated_agreements_cannot_be_followed_up(app, client, db, login_as):
    draft = factories.make_agreement(db, status="draft")
    terminated = factories.make_agreement(db, status="terminated")
    login_as("staff")
    for agreement, kind, message in (
        (draft, "renewal", "No renewal can be drafted from an agreement that is draft."),
        (
            terminated,
            "amendment",
            "No amendment can be drafted from an agreement that is terminated.",
        ),
        (terminated, "bogus", "Choose a renewal or an amendment."),
    ):
        response = client.post_form(
            f"/admin/agreements/{agreement.id}/follow-up", {"kind": kind}, follow_redirects=True
        )
        assert message in response.get_data(as_text=True)
    assert db.exec(select(Agreement).where(Agreement.previous_id.is_not(None))).all() == []
