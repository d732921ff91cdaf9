"""Forgot password (issue 13, part 4): a single-use, expiring link by mail, the same answer for
unknown addresses, throttled per address and per IP; using it ends every session and API token,
and a user with a second factor still needs a code. Mails are read at the aiosmtpd server."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
from sqlmodel import select

from portal.accounts.models import ApiToken, Invitation
from portal.audit.models import AuditEntry
from portal.db import utcnow
from portal.vocabulary import LinkPurpose
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.test_security_tokens import bearer, make_token

NEW_PASSWORD = "a completely new passphrase"
RESET = "/password/reset/"


def without_csrf(page: str) -> str:
    """A page with its session's CSRF values blanked out."""
    return re.sub(r'(csrf[-_]token"[^>]*?(?:content|value)=")[^"]+', r"\1", page)


def ask(client, email: str):
    return client.post_form("/password/forgot", {"email": email}, follow_redirects=True)


def test_forgot_password_mails_a_single_use_link_that_ends_every_session_and_token(
    app, client, db, login_as, mailbox
):
    user = login_as("partner")
    raw = make_token(app, user)
    assert client.get("/login").status_code == 302  # signed in here
    stranger = app.test_client()
    answer = ask(stranger, user.email.upper())
    assert answer.status_code == 200 and "is on its way" in answer.get_data(as_text=True)
    (mail,) = mailbox.to(user.email)
    assert "works once, for 60 minutes" in mailbox.body(mail)
    path = mailbox.link_path(user.email, RESET)

    reset = app.test_client()
    assert reset.get(path).status_code == 200
    done = reset.post_form(path, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and reset.get("/me").status_code == 200
    assert client.get("/me").status_code == 302  # the old session ended
    assert app.test_client().get("/api/v1/me/agreements", headers=bearer(raw)).status_code == 401
    assert db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one().revoked_at
    assert app.test_client().get(path).status_code == 404  # single use
    signed_in = app.test_client().post_form(
        "/login", {"email": user.email, "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert "reset" in mailbox.body(mailbox.to(user.email)[-1])  # told that it happened
    done_actions = {e.action for e in db.exec(select(AuditEntry)).all()}
    assert {"user.password_reset_requested", "user.password_reset"} <= done_actions


def test_forgot_password_answers_the_same_for_unknown_addresses(app, client, db, mailbox):
    known = factories.make_user(db, role="partner")
    for_known = ask(app.test_client(), known.email).get_data(as_text=True)
    for_unknown = ask(app.test_client(), "nobody@example.org").get_data(as_text=True)

    # Byte for byte the same page, once each session's own CSRF value is taken out.
    assert without_csrf(for_known) == without_csrf(for_unknown)
    assert "is on its way" in for_unknown
    assert [m["X-Envelope-To"] for m in mailbox.messages] == [known.email]
    entries = db.exec(
        select(AuditEntry).where(AuditEntry.action == "user.password_reset_requested")
    ).all()
    assert sorted(e.changes["mailed"] for e in entries) == [False, True]


def test_forgot_password_is_throttled_per_address_and_per_ip(app, db, mailbox):
    user = factories.make_user(db, role="partner")
    browser = app.test_client()
    answers = [ask(browser, user.email).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 200]  # the same answer ...
    assert len(mailbox.to(user.email)) == 3  # ... but past three an hour, no more mail
    # Ten requests an hour from one IP address, known addresses or not, then 429.
    statuses = [ask(browser, f"x{n}@example.org").status_code for n in range(7)]
    assert statuses[:6] == [200] * 6 and statuses[6] == 429
    assert ask(browser, "another@example.org").headers["Retry-After"].isdigit()
    # Only hashes are kept for the counters, never the address or the IP.
    from portal.ratelimit import RateCounter

    subjects = " ".join(c.subject for c in db.exec(select(RateCounter)).all())
    assert user.email not in subjects and "127.0.0.1" not in subjects


def test_a_reset_link_expires(app, db, mailbox):
    user = factories.make_user(db, role="partner")
    ask(app.test_client(), user.email)
    path = mailbox.link_path(user.email, RESET)
    link = db.exec(select(Invitation).where(Invitation.purpose == LinkPurpose.PASSWORD_RESET)).one()
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.add(link)
    db.commit()
    assert app.test_client().get(path).status_code == 404


def test_a_newer_reset_link_replaces_the_older_one(app, db, mailbox):
    user = factories.make_user(db, role="partner")
    ask(app.test_client(), user.email)
    first = mailbox.link_path(user.email, RESET)
    ask(app.test_client(), user.email)
    second = mailbox.link_path(user.email, RESET)
    assert first != second
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200


def test_a_reset_for_a_user_with_a_second_factor_still_needs_the_code(app, db, mailbox):
    secret = pyotp.random_base32()
    user = factories.make_user(db, role="partner", totp_secret=secret)
    ask(app.test_client(), user.email)
    path = mailbox.link_path(user.email, RESET)
    browser = app.test_client()
    without = browser.post_form(path, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert without.status_code == 200 and browser.get("/me").status_code == 302
    db.refresh(user)
    assert user.password_changed_at is None  # nothing changed without the code
    old_password_still_works = app.test_client().post_form(
        "/login", {"email": user.email, "password": TEST_PASSWORD}
    )
    assert old_password_still_works.headers["Location"].endswith("/login/verify")
    done = browser.post_form(
        path,
        {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "code": pyotp.TOTP(secret).now()},
    )
    assert done.status_code == 302 and browser.get("/me").status_code == 200


def test_a_reset_link_cannot_be_used_as_an_invitation_and_back(app, db, mailbox):
    user = factories.make_user(db, role="partner")
    ask(app.test_client(), user.email)
    token = mailbox.link_path(user.email, RESET).removeprefix(RESET)
    assert app.test_client().get(f"/invite/{token}").status_code == 404
