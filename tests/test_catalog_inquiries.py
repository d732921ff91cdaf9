"""Expressions of interest: validation, abuse protection, mail, and the staff's work on them."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from portal.accounts.models import Invitation, Organization, User
from portal.audit.models import AuditEntry
from portal.catalog.models import Inquiry, InquiryNote
from tests.factories import make_inquiry, make_technology

GOOD = {
    "name": "Arjun Mehta",
    "email": "arjun@voltcraft.example",
    "organization_name": "Voltcraft Mobility",
    "interest": "licensing",
    "message": "We want to evaluate the cells for a scooter.",
    "website": "",
}


def _inquiries(db) -> list[Inquiry]:
    db.expire_all()
    return list(db.exec(select(Inquiry).order_by(Inquiry.id)).all())


def test_visitor_expresses_interest_and_both_mails_arrive(app, client, db, mailbox):
    technology = make_technology(db, slug="na-18650", title="Sodium-ion 18650")
    response = client.post_form("/technologies/na-18650/interest", GOOD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/interest/sent")
    assert "we received your message" in client.get("/interest/sent").get_data(as_text=True)
    [inquiry] = _inquiries(db)
    assert inquiry.technology_id == technology.id and inquiry.status == "new"
    assert inquiry.ip_hash and "127.0.0.1" not in inquiry.ip_hash

    [confirmation] = mailbox.to("arjun@voltcraft.example")
    assert "Sodium-ion 18650" in mailbox.body(confirmation)
    [notification] = mailbox.to(app.config["STAFF_NOTIFY_EMAIL"])
    assert "Sodium-ion 18650" in notification["Subject"]
    body = mailbox.body(notification)
    assert "Voltcraft Mobility" in body and f"/admin/inquiries/{inquiry.id}" in body
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "inquiry.created")).one()


def test_general_inquiry_without_a_technology(client, db, mailbox):
    assert client.post_form("/interest", {**GOOD, "interest": "dataset_access"}).status_code == 302
    [inquiry] = _inquiries(db)
    assert inquiry.technology_id is None and inquiry.interest == "dataset_access"
    assert len(mailbox.messages) == 2


def test_validation_messages_are_clear_and_nothing_is_stored(client, db, mailbox):
    make_technology(db, slug="cell")
    response = client.post_form(
        "/technologies/cell/interest",
        {**GOOD, "email": "not-an-address", "message": "hi", "interest": "bribe", "name": ""},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Please correct the fields marked below." in html
    assert "Enter an e-mail address like name@company.in." in html
    assert "Write between 10 and 5,000 characters." in html
    assert "Not a valid choice" in html
    assert 'aria-invalid="true"' in html
    assert _inquiries(db) == [] and mailbox.messages == []


def test_honeypot_discards_the_message_quietly(client, db, mailbox):
    response = client.post_form("/interest", {**GOOD, "website": "http://spam.example"})
    assert response.status_code == 302
    assert _inquiries(db) == [] and mailbox.messages == []


def test_honeypot_is_hidden_but_labelled(client):
    html = client.get("/interest").get_data(as_text=True)
    assert '<div class="honeypot">' in html
    assert '<label for="website">Leave this field empty</label>' in html
    assert 'tabindex="-1"' in html


def test_the_form_is_refused_from_another_site(client, db):
    # The cacheable page carries no per-visitor token: the browser's Origin must be this site.
    response = client.post("/interest", data=GOOD, headers={"Origin": "https://evil.example"})
    assert response.status_code == 400 and _inquiries(db) == []
    # A browser that holds a CSRF secret (it was given one) must send the token as before.
    with client.session_transaction() as session:
        session["csrf_token"] = "b" * 40
    assert client.post("/interest", data=GOOD).status_code == 400 and _inquiries(db) == []


@pytest.fixture
def app_config(app_config):
    return {**app_config, "INQUIRIES_PER_IP_PER_HOUR": 2}


def test_rate_limit_per_address_counts_stored_inquiries(client, db, mailbox):
    for n in range(2):
        message = f"{GOOD['message']} Message {n}."
        assert client.post_form("/interest", {**GOOD, "message": message}).status_code == 302
    response = client.post_form("/interest", {**GOOD, "message": "A third, different message."})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3600"
    assert "several messages in the last hour" in response.get_data(as_text=True)
    in_hindi = client.post_form("/hi/interest", {**GOOD, "message": "A fourth message, in Hindi."})
    assert in_hindi.status_code == 429 and in_hindi.headers["Retry-After"] == "3600"
    assert "कई संदेश भेजे हैं" in in_hindi.get_data(as_text=True)
    assert len(_inquiries(db)) == 2 and len(mailbox.messages) == 4
    # Another address is not affected (the limit is per IP, counted in the database).
    other = client.post_form("/interest", GOOD, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 302


def test_unpublished_technology_takes_no_inquiries(client, db):
    make_technology(db, slug="secret", is_published=False)
    assert client.post_form("/technologies/secret/interest", GOOD).status_code == 404


# --- staff ------------------------------------------------------------------------------------


def test_staff_list_filters_by_status_and_technology(client, db, login_as):
    cell = make_technology(db, title="Cell tech")
    coater = make_technology(db, title="Coater tech")
    make_inquiry(db, cell, name="Lead One")
    make_inquiry(db, coater, name="Lead Two", status="contacted")
    make_inquiry(db, None, name="Lead Three", status="closed")
    login_as("staff")
    new = client.get("/admin/inquiries?status=new").get_data(as_text=True)
    assert "Lead One" in new and "Lead Two" not in new and "Lead Three" not in new
    by_tech = client.get(f"/admin/inquiries?technology={coater.id}").get_data(as_text=True)
    assert "Lead Two" in by_tech and "Lead One" not in by_tech
    odd = client.get("/admin/inquiries?status=%00&technology=abc&page=-9")
    assert odd.status_code == 200


def test_inline_status_change_with_htmx_returns_the_row(client, db, login_as):
    inquiry = make_inquiry(db, make_technology(db))
    login_as("staff")
    response = client.post_form(
        f"/admin/inquiries/{inquiry.id}/status",
        {"status": "contacted", "version": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="inquiry-{inquiry.id}"')
    assert '<option value="contacted" selected>' in html
    assert _inquiries(db)[0].status == "contacted"
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "inquiry.status_changed")).one()
    assert entry.changes["after"]["status"] == "contacted"


def test_illegal_or_stale_status_changes_are_refused(client, db, login_as):
    inquiry = make_inquiry(db, status="closed")
    login_as("staff")
    response = client.post_form(
        f"/admin/inquiries/{inquiry.id}/status",
        {"status": "in_discussion", "version": str(inquiry.version)},
        headers={"HX-Request": "true"},
    )
    assert "cannot go from “Closed” to “In discussion”" in response.get_data(as_text=True)
    unversioned = client.post_form(
        f"/admin/inquiries/{inquiry.id}/status",
        {"status": "contacted"},
        headers={"HX-Request": "true"},
    )
    assert "Someone else changed this record" in unversioned.get_data(as_text=True)
    stale = client.post_form(
        f"/admin/inquiries/{inquiry.id}/status", {"status": "contacted", "version": "7"}
    )
    assert stale.status_code == 302
    assert _inquiries(db)[0].status == "closed"


def test_staff_add_notes(client, db, login_as):
    inquiry = make_inquiry(db)
    login_as("staff")
    client.post_form(f"/admin/inquiries/{inquiry.id}/notes", {"body": "Called; sending NDA."})
    page = client.get(f"/admin/inquiries/{inquiry.id}").get_data(as_text=True)
    assert "Called; sending NDA." in page
    assert db.exec(select(func.count(InquiryNote.id))).one() == 1


def test_convert_into_organisation_and_partner_invitation(client, db, login_as, mailbox):
    inquiry = make_inquiry(
        db, make_technology(db), organization_name="Voltcraft Mobility", email="lead@voltcraft.in"
    )
    login_as("staff")
    form = client.get(f"/admin/inquiries/{inquiry.id}").get_data(as_text=True)
    assert 'value="voltcraft-mobility"' in form
    response = client.post_form(
        f"/admin/inquiries/{inquiry.id}/convert",
        {
            "name": "Voltcraft Mobility",
            "slug": "voltcraft-mobility",
            "kind": "startup",
            "contact_name": "Asha Rao",
            "contact_email": "lead@voltcraft.in",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "/invite/" not in html and "was sent to lead@voltcraft.in" in html
    organization = db.exec(
        select(Organization).where(Organization.slug == "voltcraft-mobility")
    ).one()
    user = db.exec(select(User).where(User.email == "lead@voltcraft.in")).one()
    assert user.role == "partner" and user.organization_id == organization.id
    assert db.exec(select(Invitation).where(Invitation.user_id == user.id)).one()
    converted = _inquiries(db)[0]
    assert converted.status == "converted" and converted.organization_id == organization.id
    assert len(mailbox.to("lead@voltcraft.in")) == 1
    # A second conversion is refused and changes nothing.
    again = client.post_form(
        f"/admin/inquiries/{inquiry.id}/convert",
        {
            "name": "X",
            "slug": "x-org",
            "kind": "startup",
            "contact_name": "X",
            "contact_email": "x@x.in",
        },
    )
    assert again.status_code == 400
    assert db.exec(select(Organization).where(Organization.slug == "x-org")).first() is None


def test_conversion_with_a_taken_email_changes_nothing(client, db, login_as):
    inquiry = make_inquiry(db)
    staff = login_as("staff")
    response = client.post_form(
        f"/admin/inquiries/{inquiry.id}/convert",
        {
            "name": "Dup",
            "slug": "dup-org",
            "kind": "company",
            "contact_name": "D",
            "contact_email": staff.email,
        },
    )
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    assert db.exec(select(Organization).where(Organization.slug == "dup-org")).first() is None
    assert _inquiries(db)[0].status == "new"


def test_partners_cannot_see_inquiries(client, db, login_as):
    inquiry = make_inquiry(db)
    login_as("partner")
    assert client.get("/admin/inquiries").status_code == 403
    assert client.get(f"/admin/inquiries/{inquiry.id}").status_code == 403


def test_status_change_without_javascript_returns_to_the_list(client, db, login_as):
    inquiry = make_inquiry(db)
    login_as("staff")
    page = client.get("/admin/inquiries?status=new").get_data(as_text=True)
    assert 'name="next" value="/admin/inquiries?status=new"' in page
    response = client.post_form(
        f"/admin/inquiries/{inquiry.id}/status",
        {"status": "contacted", "version": "1", "next": "/admin/inquiries?status=new"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/inquiries?status=new")
    assert _inquiries(db)[0].status == "contacted"
    # An off-site `next` is ignored.
    again = client.post_form(
        f"/admin/inquiries/{inquiry.id}/status",
        {"status": "in_discussion", "version": "2", "next": "https://evil.example/"},
    )
    assert "evil.example" not in again.headers["Location"]


def test_a_line_break_in_a_title_cannot_break_the_mail_headers(client, db, mailbox):
    make_technology(db, slug="odd", title="Odd\r\nBcc: victim@example.org")
    assert client.post_form("/technologies/odd/interest", GOOD).status_code == 302
    [notification] = [m for m in mailbox.messages if "New inquiry" in m["Subject"]]
    assert notification["Subject"] == "New inquiry: Odd Bcc: victim@example.org"
    assert notification["Bcc"] is None
    assert not mailbox.to("victim@example.org")


def test_an_identical_inquiry_within_minutes_is_kept_and_mailed_once(client, db, mailbox):
    make_technology(db, slug="na-18650", title="Sodium-ion 18650")
    assert client.post_form("/technologies/na-18650/interest", GOOD).status_code == 302
    # Back and Send again (spacing changed by the browser): the same message is not a new lead.
    again = client.post_form(
        "/technologies/na-18650/interest", {**GOOD, "message": f"  {GOOD['message']}  "}
    )
    assert again.status_code == 302 and again.headers["Location"].endswith(
        "/interest/sent?repeat=1"
    )
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "already reached us" in page
    assert len(_inquiries(db)) == 1 and len(mailbox.messages) == 2
    # A different message, or the same one about another subject, is a new inquiry.
    assert client.post_form("/interest", GOOD).status_code == 302
    other = {**GOOD, "message": "And we would like a visit to the pilot line."}
    elsewhere = {"REMOTE_ADDR": "10.9.8.7"}  # the hourly limit per address is two in tests
    response = client.post_form("/technologies/na-18650/interest", other, environ_base=elsewhere)
    assert response.status_code == 302
    assert len(_inquiries(db)) == 3
