"""Issue 10, findings 4, 6, 7 and 8 and the organisation website: each attack from the review
replayed, now refused (the date property over every field and parameter is in
test_security_dates.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from portal import db as portal_db
from portal.accounts.models import Organization, User
from portal.agreements.evidence import submit_evidence
from portal.agreements.models import Milestone
from portal.catalog.models import Inquiry
from portal.dates import local_today
from portal.db import utcnow
from portal.partners import services as partners
from tests import factories
from tests.conftest import ANY_CSRF_META
from tests.cycler_data import write_arbin

# --- finding 4: the evidence panel after access ends -------------------------------------------


def _evidence_on_a_granted_dataset(app, db, tmp_path):
    organization = factories.make_organization(db)
    mou = factories.make_agreement(db, organization)
    milestone = factories.make_milestone(
        db, mou, title="Pilot cells reach 2 cycles above 80 % capacity", kind="pilot"
    )
    dataset = factories.make_dataset(db, title="Confidential pilot line cycling")
    grant = factories.make_dataset_grant(db, dataset, organization)
    factories.ingest_into(
        app, dataset, write_arbin(tmp_path / "secret-cell-07.csv", [1.0, 0.99, 0.98])
    )
    partner = factories.make_user(db, role="partner", organization=organization)
    with app.app_context():
        session = portal_db.session()
        submit_evidence(
            session,
            session.get(Milestone, milestone.id),
            session.get(User, partner.id),
            dataset_id=dataset.id,
        )
        session.commit()
    return partner, milestone, grant


@pytest.mark.parametrize("ending", ["revoked", "lapsed"])
def test_the_evidence_panel_hides_a_dataset_once_the_grant_ends(
    app, client, db, login_as, tmp_path, ending
):
    partner, milestone, grant = _evidence_on_a_granted_dataset(app, db, tmp_path)
    browser = app.test_client()
    browser.post_form("/login", {"email": partner.email, "password": factories.DEFAULT_PASSWORD})
    before = browser.get(f"/milestones/{milestone.id}").get_data(as_text=True)
    assert "Confidential pilot line cycling" in before and "secret-cell-07.csv" in before

    if ending == "revoked":
        grant.revoked_at = utcnow()
    else:
        grant.expires_on = local_today() - timedelta(days=1)
    db.add(grant)
    db.commit()

    after = browser.get(f"/milestones/{milestone.id}").get_data(as_text=True)
    assert "a dataset you no longer have access to" in after
    for leaked in ("Confidential pilot line cycling", "secret-cell-07.csv", "cycles at or above"):
        assert leaked not in after
    # Staff still see everything.
    login_as("staff")
    staff_page = client.get(f"/milestones/{milestone.id}").get_data(as_text=True)
    assert "Confidential pilot line cycling" in staff_page and "secret-cell-07.csv" in staff_page


# --- finding 6: date overflow -------------------------------------------------------------------


def test_audit_filters_with_dates_out_of_range_give_no_500(client, login_as):
    login_as("staff")
    for query in ("until=9999-12-31", "since=0001-01-01", "since=9999-12-31&until=0001-01-01"):
        assert client.get(f"/admin/audit?{query}").status_code == 200, query


def test_a_milestone_due_9999_12_31_does_not_break_the_calendar_feed(app, client, db, login_as):
    organization = factories.make_organization(db)
    agreement = factories.make_agreement(db, organization)
    factories.make_milestone(db, agreement, due_on=date(9999, 12, 31), title="Far away")
    user = login_as("partner", organization)
    with app.app_context():
        session = portal_db.session()
        _feed, secret = partners.create_calendar_feed(session, session.get(User, user.id))
        session.commit()
    feed = app.test_client().get(f"/calendar/{secret}.ics")
    assert feed.status_code == 200 and b"DTSTART;VALUE=DATE:99991231" in feed.data
    assert client.get("/me").status_code == 200


def test_a_milestone_date_out_of_range_is_refused_with_a_message(client, db, login_as):
    agreement = factories.make_agreement(db)
    login_as("staff")
    response = client.post_form(
        f"/admin/agreements/{agreement.id}/milestones",
        {"title": "Typo", "kind": "deliverable", "owner": "partner", "due_on": "9999-12-31"},
        follow_redirects=True,
    )
    assert "between 01-01-1990 and 31-12-2100" in response.get_data(as_text=True)
    assert db.exec(select(func.count(Milestone.id))).one() == 0


def test_send_reminders_refuses_a_today_out_of_range(app):
    result = app.test_cli_runner().invoke(args=["send-reminders", "--today", "9999-12-31"])
    assert result.exit_code != 0 and "between 1990-01-01 and 2100-12-31" in result.output
    result = app.test_cli_runner().invoke(args=["sweep", "--today", "0001-01-01"])
    assert result.exit_code != 0 and "between" in result.output


# --- finding 7: the interest form's confirmation ---------------------------------------------------


def test_the_interest_confirmation_never_echoes_the_visitors_text(client, db, mailbox):
    technology = factories.make_technology(db, title="Sodium-ion 18650 cell")
    payload = "Buy cheap watches\r\nBcc: everyone@example.net\r\nhttp://spam.example/"
    client.post_form(
        f"/technologies/{technology.slug}/interest",
        {
            "name": "WIN A PRIZE\r\nBcc: victims@example.net",
            "email": "target@example.org",
            "organization_name": "Spam Ltd",
            "interest": "licensing",
            "message": payload,
        },
    )
    (confirmation,) = mailbox.to("target@example.org")
    body = mailbox.body(confirmation)
    assert "received your message about “Sodium-ion 18650 cell”" in body
    for echoed in ("WIN A PRIZE", "Bcc", "cheap watches", "spam.example", "Spam Ltd"):
        assert echoed not in body and echoed not in str(confirmation)
    assert confirmation["Bcc"] is None
    # Staff still get the whole message to work on.
    staff_mail = mailbox.body(mailbox.to("techtransfer@coe-battery.example")[0])
    assert "cheap watches" in staff_mail


def test_interest_confirmations_are_limited_per_recipient_address(app, db, mailbox):
    technology = factories.make_technology(db)
    for n in range(5):
        visitor = app.test_client()  # as if from another IP each time: the per-IP limit is 5/h
        visitor.environ_base["REMOTE_ADDR"] = f"10.0.0.{n + 1}"
        visitor.post_form(
            f"/technologies/{technology.slug}/interest",
            {
                "name": "Visitor",
                "email": "Victim@Example.org",
                "organization_name": "Somewhere",
                "interest": "licensing",
                # Different words each time: an identical message within minutes is a repeat.
                "message": f"Please get in touch about offer {n}.",
            },
        )
    assert db.exec(select(func.count(Inquiry.id))).one() == 5  # every inquiry is kept ...
    assert len(mailbox.to("Victim@Example.org")) == 3  # ... three confirmations a day at most
    assert len(mailbox.to("techtransfer@coe-battery.example")) == 5


# --- finding 8: the Host header ----------------------------------------------------------------------


def test_the_host_header_never_reaches_absolute_links(app, client, db, login_as):
    app.config["BASE_URL"] = "https://portal.example.gov.in"
    technology = factories.make_technology(db)
    dataset = factories.make_dataset(db, visibility="public")
    evil = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    bodies = [
        client.get("/api/v1/technologies", headers=evil).get_data(as_text=True),
        client.get(f"/api/v1/technologies/{technology.slug}", headers=evil).get_data(as_text=True),
        client.get("/api/v1/datasets", headers=evil).get_data(as_text=True),
        client.get("/technologies.csv", headers=evil).get_data(as_text=True),
    ]
    for body in bodies:
        assert "evil.example" not in body
    assert f"https://portal.example.gov.in/technologies/{technology.slug}" in bodies[0]
    assert f"https://portal.example.gov.in/datasets/{dataset.slug}" in bodies[2]


def test_dataset_code_snippets_use_the_base_url(app, db, tmp_path):
    app.config["BASE_URL"] = "https://portal.example.gov.in"
    dataset = factories.make_dataset(db, visibility="public")
    factories.ingest_into(app, dataset, write_arbin(tmp_path / "p.csv", [1.0, 0.99]))
    page = (
        app.test_client()
        .get(f"/datasets/{dataset.slug}", headers={"Host": "evil.example"})
        .get_data(as_text=True)
    )
    assert "evil.example" not in page
    assert f'url = "https://portal.example.gov.in/api/v1/datasets/{dataset.slug}/files/' in page


def test_production_refuses_any_other_host_with_400(production_app, db):
    client = production_app.test_client()
    assert client.get("/technologies").status_code == 200  # its own host (localhost)
    for headers in ({"Host": "evil.example"}, {"Host": "evil.example:443"}):
        response = client.get("/api/v1/technologies", headers=headers)
        assert response.status_code == 400 and "evil.example" not in response.get_data(as_text=True)
        page = client.get("/technologies", headers=headers)
        assert page.status_code == 400 and "evil.example" not in page.get_data(as_text=True)
    # A forwarded Host is not trusted in production: the links keep the base URL.
    forwarded = client.get("/api/v1/technologies", headers={"X-Forwarded-Host": "evil.example"})
    assert forwarded.status_code == 200 and "evil.example" not in forwarded.get_data(as_text=True)


def test_mailed_links_use_the_base_url_whatever_the_host(app, db, mailbox):
    app.config["BASE_URL"] = "https://portal.example.gov.in"
    user = factories.make_user(db, role="partner")
    browser = app.test_client()
    evil = {"Host": "evil.example", "Origin": "http://evil.example"}
    page = browser.get("/password/forgot", headers=evil).get_data(as_text=True)
    csrf = ANY_CSRF_META.search(page).group(1)
    browser.post("/password/forgot", data={"csrf_token": csrf, "email": user.email}, headers=evil)
    body = mailbox.body(mailbox.to(user.email)[0])
    assert "https://portal.example.gov.in/password/reset/" in body and "evil.example" not in body


def test_development_links_follow_the_served_port_not_the_host_header(client, db):
    # Without PORTAL_BASE_URL (development), links point where the server listens: SERVER_NAME
    # and SERVER_PORT of the WSGI environ, which Werkzeug's server fills from its socket, so
    # `make run PORT=8042` links to :8042 and a forged Host changes nothing.
    technology = factories.make_technology(db)
    served = {"SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8042"}
    body = client.get(
        "/api/v1/technologies", headers={"Host": "evil.example"}, environ_overrides=served
    ).get_json()
    assert body["items"][0]["url"] == f"http://127.0.0.1:8042/technologies/{technology.slug}"


# --- "Also": the organisation website --------------------------------------------------------------


@pytest.mark.parametrize(
    "website",
    [
        "javascript://x/%0aalert(document.domain)",
        "data:text/html,<script>x</script>",
        "ftp://x.org",
    ],
)
def test_the_organisation_website_takes_only_http_addresses(client, db, login_as, website):
    login_as("staff")
    response = client.post_form(
        "/admin/organizations/new",
        {"name": "Evil Org", "slug": "evil-org", "kind": "startup", "website": website},
    )
    assert response.status_code in (200, 400)
    assert "starting with https:// or http://" in response.get_data(as_text=True)
    assert db.exec(select(Organization).where(Organization.slug == "evil-org")).first() is None


def test_a_stored_non_http_website_is_never_rendered_as_a_link(client, db, login_as):
    organization = factories.make_organization(
        db, website="javascript://x/%0aalert(1)", is_public=True
    )
    factories.make_agreement(db, organization, is_announced=True)
    public = client.get("/partners").get_data(as_text=True)
    login_as("staff")
    detail = client.get(f"/admin/organizations/{organization.id}").get_data(as_text=True)
    for page in (public, detail):
        assert 'href="javascript' not in page
    assert "javascript://x/%0aalert(1)" in detail  # shown as text for staff to correct
