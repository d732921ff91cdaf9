"""Saved-search alerts: double opt-in, one-click unsubscribe, a weekly mail only when something new
matches the followed filters."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from portal.alerts.models import SearchAlert
from portal.alerts.services import send_weekly_alerts
from portal.db import utcnow
from tests import factories

ADDRESS = "follower@startup.example"


def subscribe(client, query="chemistry=na_ion", email=ADDRESS):
    return client.post_form("/alerts", {"email": email, "query": query})


def run_alerts(app, db, when):
    with app.app_context():
        from portal import db as portal_db

        sent = send_weekly_alerts(portal_db.session(), when)
        portal_db.commit()
    db.expire_all()
    return sent


def test_double_opt_in_then_weekly_mail_only_with_new_matches_then_unsubscribe(
    app, client, db, mailbox
):
    catalog = client.get("/technologies?chemistry=na_ion").get_data(as_text=True)
    assert 'id="alert-form"' in catalog and 'value="chemistry=na_ion"' in catalog
    answer = subscribe(client)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/alerts/sent")
    alert = db.exec(select(SearchAlert)).one()
    assert alert.confirmed_at is None and alert.query == "chemistry=na_ion"
    confirm_path = mailbox.link_path(ADDRESS, "/alerts/confirm/")
    factories.make_technology(db, title="Before confirming", chemistry="na_ion")
    assert run_alerts(app, db, utcnow()) == 0  # unconfirmed: nothing but the confirmation mail

    assert "Confirm the alert" in client.get(confirm_path).get_data(as_text=True)
    db.expire_all()
    assert (
        db.exec(select(SearchAlert)).one().confirmed_at is None
    )  # a GET (a mail scanner) is not a yes
    assert client.post_form(confirm_path, {}).status_code == 200
    db.expire_all()
    assert db.exec(select(SearchAlert)).one().confirmed_at is not None

    before = len(mailbox.to(ADDRESS))
    assert run_alerts(app, db, utcnow()) == 0  # nothing new since confirming
    factories.make_technology(db, title="Matching sodium cell", chemistry="na_ion")
    factories.make_technology(db, title="Lithium cell elsewhere", chemistry="li_ion")
    assert run_alerts(app, db, utcnow()) == 1
    mail = mailbox.to(ADDRESS)[-1]
    body = mailbox.body(mail)
    assert "Matching sodium cell" in body and "Lithium cell elsewhere" not in body
    assert "Before confirming" not in body
    factories.make_technology(db, title="Second sodium cell", chemistry="na_ion")
    assert run_alerts(app, db, utcnow() + timedelta(days=2)) == 0  # at most one mail a week
    assert run_alerts(app, db, utcnow() + timedelta(days=8)) == 1
    assert len(mailbox.to(ADDRESS)) == before + 2

    unsubscribe_path = mailbox.link_path(ADDRESS, "/alerts/unsubscribe/")
    assert client.get(unsubscribe_path).status_code == 200
    assert db.exec(select(SearchAlert)).all() == []


def test_bad_addresses_and_floods_are_refused_and_nothing_is_stored(app, client, db):
    answer = subscribe(client, email="not-an-address")
    assert answer.status_code == 302
    assert "Enter an e-mail address" in client.get(answer.headers["Location"]).get_data(
        as_text=True
    )
    assert db.exec(select(SearchAlert)).all() == []
    for n in range(app.config.get("ALERTS_PER_IP_PER_HOUR", 10)):
        subscribe(client, email=f"a{n}@x.example")
    flooded = subscribe(client, email="one-too-many@x.example")
    assert "Too many subscriptions" in client.get(flooded.headers["Location"]).get_data(
        as_text=True
    )
    assert not db.exec(
        select(SearchAlert).where(SearchAlert.email == "one-too-many@x.example")
    ).all()


def test_the_same_answer_for_an_address_already_following(client, db, mailbox):
    subscribe(client)
    client.post_form(mailbox.link_path(ADDRESS, "/alerts/confirm/"), {})
    mails = len(mailbox.to(ADDRESS))
    again = subscribe(client)
    assert again.headers["Location"].endswith("/alerts/sent")
    assert len(mailbox.to(ADDRESS)) == mails  # nothing to confirm, nothing mailed
    assert client.get("/alerts/confirm/not-a-secret").status_code == 404
