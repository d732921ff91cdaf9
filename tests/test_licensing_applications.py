"""Licence applications (issue 13 part 1): a visitor or a partner applies for a technology open
for licensing; staff take it through received → under review → term sheet sent → negotiation →
approved or declined, each step with a message the applicant reads on /me and by mail; approving
drafts the licence agreement; the KPI dashboard counts applications by stage and time in stage."""

from __future__ import annotations

import io
from datetime import timedelta
from email.header import decode_header, make_header

from sqlmodel import select

from portal.accounts.models import Organization, User
from portal.agreements.models import Agreement, AgreementTechnology
from portal.db import utcnow
from portal.licensing.models import ApplicationStep, LicenceApplication
from portal.licensing.queries import stage_figures
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
APPLICATION = {
    "licence_type": "startup",
    "field_of_use": "Two-wheeler battery packs",
    "territory": "India",
    "company_name": "Voltwise Mobility",
    "company_registration": "U31904KA2021PTC123456",
    "company_size": "startup",
    "business_plan": "Assemble 18650 packs in Pune from 2027; cells from a partner line.",
    "expected_volumes": "20 MWh a year by 2028",
    "timeline": "Pilot line in 2027",
}
VISITOR = {"contact_name": "Asha Rao", "contact_email": "asha@voltwise.example"}


def subject(message) -> str:
    """The decoded subject line of a received mail."""
    return str(make_header(decode_header(message["Subject"])))


def apply(client, technology, data, plan: bytes | None = None, filename="plan.pdf"):
    payload = {"csrf_token": client.csrf_token(), **data}
    if plan is not None:
        payload["plan"] = (io.BytesIO(plan), filename)
    return client.post(
        f"/technologies/{technology.slug}/apply", data=payload, content_type="multipart/form-data"
    )


def applications(db) -> list[LicenceApplication]:
    db.expire_all()
    return list(db.exec(select(LicenceApplication)).all())


def test_the_button_appears_only_on_technologies_open_for_licensing(app, client, db):
    open_one = factories.make_technology(db)
    licensed = factories.make_technology(db, licensing_status="licensed")
    assert "Apply for a licence" in client.get(f"/technologies/{open_one.slug}").get_data(True)
    assert "Apply for a licence" not in client.get(f"/technologies/{licensed.slug}").get_data(True)
    response = apply(client, licensed, {**APPLICATION, **VISITOR})
    assert response.status_code == 409 and applications(db) == []


def test_a_visitor_applies_and_is_invited_to_follow_it(app, client, db, mailbox):
    staff = factories.make_user(db, role="staff")
    technology = factories.make_technology(db, title="Sodium-ion 18650 cell")

    response = apply(client, technology, {**APPLICATION, **VISITOR}, plan=PDF)
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/applications/sent"
    )
    [application] = applications(db)
    assert application.stage == "received" and application.company_size == "startup"
    assert application.plan_stored_name and application.plan_filename == "plan.pdf"
    stored = app.config["DATA_DIR"] / "applications" / application.plan_stored_name
    assert stored.read_bytes() == PDF
    organization = db.get(Organization, application.organization_id)
    assert organization.name == "Voltwise Mobility" and organization.kind == "startup"
    user = db.get(User, application.applicant_id)
    assert user.email == "asha@voltwise.example" and user.role == "partner"
    assert user.password_hash is None  # invited, not yet signed up

    [staff_mail] = mailbox.to(staff.email)
    assert "New licence application" in subject(staff_mail)
    path = mailbox.link_path("asha@voltwise.example", "/invite/")
    newcomer = app.test_client()
    newcomer.post(
        path,
        data={
            "csrf_token": newcomer.csrf_token(),
            "new_password": "sodium ion cells rock",
            "confirm": "sodium ion cells rock",
        },
    )
    me = newcomer.get("/me").get_data(as_text=True)
    assert application.reference in me and "Received" in me
    assert newcomer.get(f"/applications/{application.id}/plan").data == PDF


def test_an_address_with_an_account_is_not_linked_and_gets_the_same_page(app, client, db, mailbox):
    existing = factories.make_user(db, role="partner", email="owner@example.org")
    technology = factories.make_technology(db)
    response = apply(
        client, technology, {**APPLICATION, **VISITOR, "contact_email": existing.email}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/applications/sent"
    )
    [application] = applications(db)
    assert application.applicant_id is None and application.organization_id is None
    body = mailbox.body(mailbox.to(existing.email)[0])
    assert "already has an account" in body and "/invite/" not in body
    assert existing.organization_id is not None
    page = app.test_client()
    page.post_form("/login", {"email": existing.email, "password": factories.DEFAULT_PASSWORD})
    assert application.reference not in page.get("/me").get_data(as_text=True)


def test_bad_input_is_refused_with_a_message_and_nothing_stored(app, client, db):
    technology = factories.make_technology(db)
    for change, message in (
        ({"company_registration": "12345"}, "Enter a 21-character CIN or a 15-character GSTIN"),
        ({"company_registration": "u31904ka2021ptc123456"}, "in capitals"),
        ({"licence_type": "forever"}, "Not a valid choice"),
        ({"business_plan": ""}, "This field is required"),
        ({"contact_email": "not-an-address"}, "Invalid email address"),
    ):
        response = apply(client, technology, {**APPLICATION, **VISITOR, **change})
        assert response.status_code == 400, change
        assert message in response.get_data(as_text=True), change
    response = apply(client, technology, {**APPLICATION, **VISITOR}, plan=PNG, filename="a.png")
    assert response.status_code == 400 and "must be a PDF" in response.get_data(as_text=True)
    assert applications(db) == []
    assert db.exec(select(User).where(User.email == VISITOR["contact_email"])).first() is None
    assert not list((app.config["DATA_DIR"] / "applications").glob("*"))


def test_a_gstin_is_accepted(app, client, db):
    technology = factories.make_technology(db)
    response = apply(
        client, technology, {**APPLICATION, **VISITOR, "company_registration": "29ABCDE1234F1Z5"}
    )
    assert response.status_code == 303
    assert applications(db)[0].company_registration == "29ABCDE1234F1Z5"


def test_a_visitor_form_with_the_honeypot_filled_is_answered_and_kept_nowhere(
    app, client, db, mailbox
):
    technology = factories.make_technology(db)
    page = client.get(f"/technologies/{technology.slug}/apply").get_data(as_text=True)
    assert '<div class="honeypot">' in page
    response = apply(client, technology, {**APPLICATION, **VISITOR, "website": "buy-now.example"})
    assert response.status_code == 303 and response.headers["Location"] == "/applications/sent"
    assert applications(db) == [] and mailbox.messages == []


def test_visitors_are_limited_per_hour(app, client, db):
    app.config["INQUIRIES_PER_IP_PER_HOUR"] = 2
    technology = factories.make_technology(db)
    for n in range(2):
        data = {**APPLICATION, **VISITOR, "contact_email": f"a{n}@example.org"}
        assert apply(client, technology, data).status_code == 303
    response = apply(client, technology, {**APPLICATION, **VISITOR})
    assert response.status_code == 429 and response.headers["Retry-After"] == "3600"
    assert len(applications(db)) == 2


def test_staff_take_a_partner_application_to_approval_and_the_draft_agreement(
    app, client, db, login_as, mailbox
):
    organization = factories.make_organization(db, name="Voltwise Mobility")
    partner = login_as("partner", organization)
    technology = factories.make_technology(db, title="Sodium-ion 18650 cell")
    response = apply(client, technology, {**APPLICATION, "licence_type": "exclusive"})
    [application] = applications(db)
    assert response.headers["Location"].endswith(f"/me/applications/{application.id}")
    assert (application.organization_id, application.applicant_id) == (organization.id, partner.id)

    staff_client = app.test_client()
    staff = login_as("staff", client_=staff_client)
    # An illegal jump is refused and changes nothing.
    page = staff_client.post_form(
        f"/admin/applications/{application.id}/stage",
        {"to_stage": "approved", "version": 1},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "An application that is received cannot become approved." in page
    assert applications(db)[0].stage == "received"

    messages = {
        "under_review": "",  # the default message
        "term_sheet_sent": "Term sheet attached to our mail of today.",
        "negotiation": "Let us meet on Monday about the royalty.",
        "approved": "Approved by the licensing committee.",
    }
    for stage, message in messages.items():
        current = applications(db)[0]
        response = staff_client.post_form(
            f"/admin/applications/{application.id}/stage",
            {"to_stage": stage, "version": current.version, "message": message},
        )
        assert response.status_code == 303
        assert applications(db)[0].stage == stage
    mails = [subject(m) for m in mailbox.to(partner.email)]
    assert [m.split(": ")[-1] for m in mails] == [
        "Under review",
        "Term sheet sent",
        "In negotiation",
        "Approved",
    ]
    assert "Let us meet on Monday" in mailbox.body(mailbox.to(partner.email)[2])

    me = client.get(f"/me/applications/{application.id}").get_data(as_text=True)
    for text in ("under review by the technology-transfer team", *list(messages.values())[1:]):
        assert text in me
    steps = db.exec(
        select(ApplicationStep).where(ApplicationStep.application_id == application.id)
    ).all()
    assert [s.to_stage for s in steps] == ["received", *messages]

    approved = applications(db)[0]
    agreement = db.get(Agreement, approved.agreement_id)
    assert agreement.status == "draft" and agreement.kind == "license"
    assert agreement.organization_id == organization.id
    assert agreement.responsible_staff_id == staff.id
    assert (agreement.field_of_use, agreement.territory) == ("Two-wheeler battery packs", "India")
    assert agreement.exclusivity == "exclusive"
    assert (
        "Assemble 18650 packs in Pune" in agreement.scope and approved.reference in agreement.scope
    )
    assert db.exec(
        select(AgreementTechnology.technology_id).where(
            AgreementTechnology.agreement_id == agreement.id
        )
    ).all() == [technology.id]
    # Closed: no further step.
    staff_page = staff_client.get(f"/admin/applications/{application.id}").get_data(True)
    assert "This application is closed." in staff_page and "Draft licence agreement" in staff_page


def test_another_organisation_cannot_open_an_application(app, client, db, login_as):
    organization = factories.make_organization(db)
    owner = login_as("partner", organization)
    technology = factories.make_technology(db)
    apply(client, technology, APPLICATION, plan=PDF)
    [application] = applications(db)
    assert application.applicant_id == owner.id
    stranger = app.test_client()
    login_as("partner", client_=stranger)
    assert stranger.get(f"/me/applications/{application.id}").status_code == 404
    assert stranger.get(f"/applications/{application.id}/plan").status_code == 404
    assert stranger.get("/admin/applications").status_code in (403, 404)


def test_kpis_count_by_stage_and_time_in_stage(app, client, db, login_as):
    technology = factories.make_technology(db)
    now = utcnow()
    for n, stages in enumerate(([("received", 10), ("under_review", 4)], [("received", 2)])):
        application = LicenceApplication(
            **APPLICATION,
            **VISITOR,
            reference=f"APP-T-{n}",
            technology_id=technology.id,
            stage=stages[-1][0],
        )
        db.add(application)
        db.flush()
        for stage, days_ago in stages:
            db.add(
                ApplicationStep(
                    application_id=application.id,
                    to_stage=stage,
                    created_at=now - timedelta(days=days_ago),
                )
            )
    db.commit()
    figures = {f.stage: f for f in stage_figures(db, now)}
    assert (figures["received"].count, figures["under_review"].count) == (1, 1)
    # Received: 6 days for the first (10 → 4 days ago), 2 days so far for the second.
    assert figures["received"].average_days == 4.0
    assert figures["under_review"].average_days == 4.0
    assert figures["approved"].count == 0 and figures["approved"].average_days is None

    login_as("staff")
    dashboard = client.get("/admin").get_data(as_text=True)
    row = dashboard.split('data-stage="received"')[1].split("</tr>")[0]
    assert ">1<" in row and "4.0" in row


def test_forged_fields_do_not_change_owner_or_stage(app, client, db, login_as):
    mine = factories.make_organization(db)
    other = factories.make_organization(db)
    partner = login_as("partner", mine)
    technology = factories.make_technology(db)
    forged = {
        "organization_id": str(other.id),
        "applicant_id": "1",
        "stage": "approved",
        "agreement_id": "1",
        "reference": "APP-FORGED",
        "contact_email": "someone@else.example",
    }
    assert apply(client, technology, {**APPLICATION, **forged}).status_code == 303
    [application] = applications(db)
    assert (application.organization_id, application.applicant_id) == (mine.id, partner.id)
    assert application.stage == "received" and application.agreement_id is None
    assert application.reference != "APP-FORGED" and application.contact_email == partner.email


def test_the_demo_has_applications_at_two_stages_once(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "licensing: APP-" in first.output
    stages = sorted(a.stage for a in applications(db))
    assert stages == ["negotiation", "received"]
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "licensing:" not in second.output
    assert len(applications(db)) == 2
