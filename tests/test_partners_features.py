"""Calendar feeds, personal API tokens with the /api/v1/me endpoints, and the public partner list."""

from __future__ import annotations

import re
from datetime import date, timedelta

from icalendar import Calendar
from sqlmodel import select

from portal.accounts.models import ApiToken
from portal.accounts.tokens import digest
from portal.agreements.models import AgreementTechnology
from portal.partners.models import CalendarFeed
from tests import factories
from tests.test_agreements_journey import make_technology

BASE = "http://localhost"  # the test client serves localhost; no PORTAL_BASE_URL set


def feed_path(page: str) -> str:
    return re.search(r'value="http://localhost(/calendar/[^"]+\.ics)"', page).group(1)


def test_calendar_feed_is_secret_hashed_and_revocable(app, client, db, login_as):
    organization = factories.make_organization(db)
    agreement = factories.make_agreement(
        db, organization=organization, reference="COE-MOU-2026-042"
    )
    due = date(2026, 7, 15)
    milestone = factories.make_milestone(db, agreement, title="Pilot line audit", due_on=due)
    user = login_as("partner", organization)

    first = feed_path(
        client.post_form("/me/calendar", follow_redirects=True).get_data(as_text=True)
    )
    secret = first.removeprefix("/calendar/").removesuffix(".ics")
    stored = db.exec(select(CalendarFeed).where(CalendarFeed.user_id == user.id)).one()
    assert stored.secret_hash == digest(secret) and secret not in stored.secret_hash

    response = app.test_client().get(first)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.data)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == due and event.decoded("DTEND") == due + timedelta(days=1)
    assert str(event["UID"]) == f"milestone-{milestone.id}@localhost"
    assert "Pilot line audit (COE-MOU-2026-042)" in str(event["SUMMARY"])
    # Labels, not codes: "status planned; responsible: Partner", never "owner partner".
    description = str(event["DESCRIPTION"])
    assert "status planned; responsible: Partner." in description and "owner" not in description
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert b"DTSTART;VALUE=DATE:20260715" in response.data

    # A new link replaces the old one; revoking ends the new one too.
    second = feed_path(
        client.post_form("/me/calendar", follow_redirects=True).get_data(as_text=True)
    )
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200
    client.post_form("/me/calendar/revoke")
    assert app.test_client().get(second).status_code == 404
    assert app.test_client().get("/calendar/not-a-real-secret.ics").status_code == 404
    # A deactivated user's feed stops too.
    third = feed_path(
        client.post_form("/me/calendar", follow_redirects=True).get_data(as_text=True)
    )
    user.is_active = False
    db.add(user)
    db.commit()
    assert app.test_client().get(third).status_code == 404


def test_tokens_are_shown_once_stored_hashed_and_work_as_bearer(app, client, db, login_as):
    organization = factories.make_organization(db)
    agreement = factories.make_agreement(db, organization=organization, royalty_pct=2.5)
    factories.make_milestone(
        db, agreement, due_on=date(2020, 1, 1), amount_inr=125000, kind="payment"
    )
    factories.make_milestone(db, agreement, due_on=date(2099, 1, 1))
    factories.make_agreement(db, organization=organization, status="draft")
    factories.make_agreement(db)  # someone else's
    user = login_as("partner", organization)

    page = client.post_form("/me/tokens", {"name": "lab notebook"}, follow_redirects=True).get_data(
        as_text=True
    )
    raw = re.search(r'id="new-token"[^>]*value="(btp_[^"]+)"', page).group(1)
    stored = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert stored.token_hash == digest(raw) and raw not in client.get("/me/tokens").get_data(
        as_text=True
    )

    api = app.test_client()
    headers = {"Authorization": f"Bearer {raw}"}
    agreements = api.get("/api/v1/me/agreements", headers=headers).get_json()
    assert set(agreements) == {"items", "total", "next"}
    assert agreements["total"] == 1 and agreements["next"] is None
    item = agreements["items"][0]
    assert item["reference"] == agreement.reference and item["status"] == "active"
    assert item["royalty_pct"] == 2.5
    milestones = api.get("/api/v1/me/milestones", headers=headers).get_json()
    assert milestones["total"] == 2
    first = milestones["items"][0]
    assert first["due_on"] == "2020-01-01" and first["is_overdue"] is True
    assert first["amount_inr"] == 125000.0 and first["agreement_reference"] == agreement.reference

    client.post_form(f"/me/tokens/{stored.id}/revoke")
    assert api.get("/api/v1/me/agreements", headers=headers).status_code == 401
    other = factories.make_user(db, role="partner")
    foreign = ApiToken(user_id=other.id, name="x", prefix="btp_x", token_hash="0" * 64)
    db.add(foreign)
    db.commit()
    assert client.post_form(f"/me/tokens/{foreign.id}/revoke").status_code == 404
    db.refresh(foreign)
    assert foreign.revoked_at is None


def test_api_lists_paginate_and_need_a_user(app, client, db, login_as):
    assert client.get("/api/v1/me/milestones").status_code == 401
    organization = factories.make_organization(db)
    agreement = factories.make_agreement(db, organization=organization)
    for day in range(27):
        factories.make_milestone(db, agreement, due_on=date(2026, 1, 1) + timedelta(days=day))
    login_as("partner", organization)
    first = client.get("/api/v1/me/milestones").get_json()
    assert first["total"] == 27 and len(first["items"]) == 25 and "page=2" in first["next"]
    second = client.get("/api/v1/me/milestones?page=2").get_json()
    assert len(second["items"]) == 2 and second["next"] is None
    assert client.get("/api/v1/me/milestones?page=abc").status_code == 200


def test_openapi_describes_the_me_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path in ("/me/agreements", "/me/milestones"):
        assert "get" in document["paths"][path]
    schemas = document["components"]["schemas"]
    assert "due_on" in schemas["MilestonePublic"]["properties"]
    assert "reference" in schemas["AgreementPublic"]["properties"]


def test_public_partner_list_shows_announced_partners_and_nothing_confidential(app, client, db):
    announced = factories.make_organization(db, name="Watthour Demo")
    quiet = factories.make_organization(db, name="Quiet Industries")
    ended = factories.make_organization(db, name="Lapsed Cells")
    technology = make_technology(db, title="Sodium-ion pouch cell")
    hidden_tech = make_technology(db, title="Unpublished secret chemistry", is_published=False)
    deal = factories.make_agreement(
        db,
        organization=announced,
        is_announced=True,
        royalty_text="ROYALTY-SECRET 4 %",
        field_of_use="FIELD-SECRET",
    )
    db.add(AgreementTechnology(agreement_id=deal.id, technology_id=technology.id))
    db.add(AgreementTechnology(agreement_id=deal.id, technology_id=hidden_tech.id))
    db.commit()
    factories.make_milestone(db, deal, title="MILESTONE-SECRET", amount_inr=999999)
    factories.make_agreement(db, organization=quiet, is_announced=False)
    factories.make_agreement(
        db, organization=ended, is_announced=True, expires_on=date.today() - timedelta(days=1)
    )
    page = client.get("/partners").get_data(as_text=True)
    assert "Watthour Demo" in page and "Sodium-ion pouch cell" in page
    for absent in (
        "Quiet Industries",
        "Lapsed Cells",
        "Unpublished secret chemistry",
        "ROYALTY-SECRET",
        "FIELD-SECRET",
        "MILESTONE-SECRET",
        "9,99,999",
        deal.reference,
    ):
        assert absent not in page, absent


def test_reloading_after_creating_a_token_creates_no_second_one(client, db, login_as):
    user = login_as("partner")
    created = client.post_form("/me/tokens", {"name": "lab notebook"})
    # POST/redirect/GET: the browser's reload repeats the GET, never the POST.
    assert created.status_code == 303 and created.headers["Location"].endswith("/me/tokens")
    shown = client.get("/me/tokens").get_data(as_text=True)
    raw = re.search(r'id="new-token"[^>]*value="(btp_[^"]+)"', shown).group(1)
    reloaded = client.get("/me/tokens").get_data(as_text=True)
    assert raw not in reloaded and 'id="new-token"' not in reloaded  # shown once only
    assert len(db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).all()) == 1


def test_reloading_after_making_a_calendar_link_makes_no_new_one(client, db, login_as):
    from portal.partners.models import CalendarFeed

    user = login_as("partner")
    made = client.post_form("/me/calendar")
    assert made.status_code == 303 and made.headers["Location"].endswith("/me/calendar")
    assert 'id="feed-url"' in client.get("/me/calendar").get_data(as_text=True)
    assert 'id="feed-url"' not in client.get("/me/calendar").get_data(as_text=True)
    feeds = db.exec(select(CalendarFeed).where(CalendarFeed.user_id == user.id)).all()
    assert len(feeds) == 1


def test_a_password_change_or_ended_sessions_revoke_the_calendar_link(app, client, db, login_as):
    from portal.accounts.sessions import sign_out_everywhere
    from portal.accounts.users import change_password

    user = login_as("partner", factories.make_organization(db))
    feed = feed_path(client.post_form("/me/calendar", follow_redirects=True).get_data(as_text=True))
    assert app.test_client().get(feed).status_code == 200
    with app.test_request_context():
        change_password(db, user, "a brand new horse battery staple")
    db.commit()
    assert app.test_client().get(feed).status_code == 404  # a copied link dies with the password

    fresh = CalendarFeed(user_id=user.id, secret_hash=digest("another-secret"))
    db.add(fresh)
    db.commit()
    assert app.test_client().get("/calendar/another-secret.ics").status_code == 200
    sign_out_everywhere(db, user)
    db.commit()
    assert app.test_client().get("/calendar/another-secret.ics").status_code == 404
    revoked = db.exec(select(CalendarFeed).where(CalendarFeed.user_id == user.id)).all()
    assert all(row.revoked_at is not None for row in revoked)
