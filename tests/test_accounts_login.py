"""Signing in and out: server-side sessions, throttling, passwords, invitations."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from portal.accounts.models import LoginThrottle, User, UserSession
from portal.db import utcnow
from tests import factories
from tests.conftest import TEST_PASSWORD


def test_partner_signs_in_and_lands_on_dashboard(client, db):
    user = factories.make_user(db, role="partner")
    response = client.post_form("/login", {"email": user.email.upper(), "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/me")
    page = client.get("/me")
    assert page.status_code == 200
    assert "Welcome, Test partner" in page.get_data(as_text=True)


def test_staff_land_on_staff_dashboard(client, login_as):
    login_as("staff")
    assert client.get("/admin").status_code == 200


def test_wrong_password_and_unknown_email_look_the_same(client, db):
    user = factories.make_user(db)
    wrong = client.post_form("/login", {"email": user.email, "password": "not the password"})
    unknown = client.post_form("/login", {"email": "nobody@example.org", "password": "whatever1"})
    assert wrong.status_code == unknown.status_code == 200

    def strip(r):
        return r.get_data(as_text=True).replace(user.email, "").replace("nobody@example.org", "")

    assert _without_tokens(strip(wrong)) == _without_tokens(strip(unknown))


def _without_tokens(html: str) -> str:
    import re

    return re.sub(r'(content|value)="[^"]*"', "", html)


def test_account_is_throttled_after_ten_failures_even_with_the_right_password(app, client, db):
    user = factories.make_user(db)
    for _ in range(9):
        assert (
            client.post_form("/login", {"email": user.email, "password": "nope-nope"}).status_code
            == 200
        )
    tenth = client.post_form("/login", {"email": user.email, "password": "nope-nope"})
    assert tenth.status_code == 429
    assert int(tenth.headers["Retry-After"]) > 0
    right = client.post_form("/login", {"email": user.email, "password": TEST_PASSWORD})
    assert right.status_code == 429
    # The counter lives in the database, so a second worker (another app) sees it too.
    throttle = db.get(LoginThrottle, user.email)
    db.refresh(throttle)
    assert throttle.failures >= 10 and throttle.locked_until is not None


def test_unknown_email_is_throttled_the_same_way(client):
    statuses = [
        client.post_form(
            "/login", {"email": "ghost@example.org", "password": "nope-nope"}
        ).status_code
        for _ in range(10)
    ]
    assert statuses[-1] == 429


def test_throttle_expires(client, db):
    user = factories.make_user(db)
    db.add(
        LoginThrottle(
            email=user.email,
            failures=10,
            locked_until=utcnow() - timedelta(seconds=1),
            window_started_at=utcnow() - timedelta(hours=1),
        )
    )
    db.commit()
    assert (
        client.post_form("/login", {"email": user.email, "password": TEST_PASSWORD}).status_code
        == 302
    )


def test_logout_refuses_a_copied_cookie(app, client, login_as):
    login_as("partner")
    copied = client.get_cookie("portal_session").value
    client.post_form("/logout")
    thief = app.test_client()
    thief.set_cookie("portal_session", copied)
    response = thief.get("/me")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_password_change_ends_other_sessions(app, client, db, login_as):
    user = login_as("partner")
    other = app.test_client()
    other.post_form("/login", {"email": user.email, "password": TEST_PASSWORD})
    assert other.get("/me").status_code == 200
    response = client.post_form(
        "/account/password",
        {
            "current_password": TEST_PASSWORD,
            "new_password": "a much better passphrase",
            "confirm": "a much better passphrase",
        },
    )
    assert response.status_code == 302
    assert other.get("/me").status_code == 302  # the other browser is signed out
    assert client.get("/me").status_code == 200  # this one continues on a new session
    db.refresh(user)
    assert user.password_hash.startswith("$argon2id$")


def test_common_and_short_passwords_are_refused(client, login_as):
    login_as("partner")
    for weak, reason in (("password123", "too common"), ("short", "Use 8 to 256 characters")):
        response = client.post_form(
            "/account/password",
            {"current_password": TEST_PASSWORD, "new_password": weak, "confirm": weak},
        )
        assert response.status_code == 400  # sent back with the reason, nothing changed
        assert reason in response.get_data(as_text=True)


def test_admin_ends_sessions_and_deactivates(app, client, db, login_as):
    partner = factories.make_user(db)
    browser = app.test_client()
    browser.post_form("/login", {"email": partner.email, "password": TEST_PASSWORD})
    assert browser.get("/me").status_code == 200
    login_as("admin")
    assert client.post_form(f"/admin/users/{partner.id}/end-sessions").status_code == 302
    assert browser.get("/me").status_code == 302

    browser.post_form("/login", {"email": partner.email, "password": TEST_PASSWORD})
    assert browser.get("/me").status_code == 200
    client.post_form(f"/admin/users/{partner.id}/deactivate")
    assert browser.get("/me").status_code == 302
    refused = browser.post_form("/login", {"email": partner.email, "password": TEST_PASSWORD})
    assert refused.status_code == 200  # a deactivated user cannot sign in again


def test_staff_cannot_deactivate_users(client, db, login_as):
    partner = factories.make_user(db)
    login_as("staff")
    assert client.post_form(f"/admin/users/{partner.id}/deactivate").status_code == 403
    db.refresh(partner)
    assert partner.is_active


def test_session_record_expires_when_idle(app, client, db, login_as):
    user = login_as("partner")
    record = db.exec(select(UserSession).where(UserSession.user_id == user.id)).one()
    record.last_seen_at = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    db.add(record)
    db.commit()
    assert client.get("/me").status_code == 302


def test_login_gives_a_new_session_id(client, login_as):
    client.get("/login")
    with client.session_transaction() as before:
        before_csrf = before.get("csrf_token")
    assert before_csrf is None  # the cookie-less login page gave this browser no CSRF secret
    login_as("partner")
    client.get("/me")  # the first signed-in page issues a fresh secret
    with client.session_transaction() as after:
        assert after.get("csrf_token") and after.get("csrf_token") != before_csrf
        assert after.get("sid")


def test_old_weaker_hash_is_upgraded_at_login(app, client, db):
    user = factories.make_user(db)
    app.config["ARGON2_TIME_COST"] = 2  # the portal now asks for stronger hashes
    old_hash = user.password_hash
    client.post_form("/login", {"email": user.email, "password": TEST_PASSWORD})
    db.refresh(user)
    assert user.password_hash != old_hash and "t=2" in user.password_hash


def test_demo_users_cannot_sign_in_in_production_mode(app, client, db):
    user = factories.make_user(db, is_demo=True)
    app.config["PORTAL_ENV"] = "production"
    response = client.post_form("/login", {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 200  # refused like a wrong password


def test_staff_invite_partner_single_use_link_is_mailed(client, db, login_as, mailbox):
    organization = factories.make_organization(db)
    login_as("staff")
    response = client.post_form(
        f"/admin/organizations/{organization.id}/invite",
        {"name": "Neha", "email": "Neha@Example.org"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "was sent to neha@example.org" in page
    mails = mailbox.to("neha@example.org")
    assert len(mails) == 1
    path = mailbox.link_path("neha@example.org", "/invite/")
    assert "/invite/" not in page  # only the user's mailbox gets the link

    newcomer = client.application.test_client()
    assert newcomer.get(path).status_code == 200
    token = newcomer.csrf_token()
    set_password = newcomer.post(
        path,
        data={
            "csrf_token": token,
            "new_password": "sodium ion cells rock",
            "confirm": "sodium ion cells rock",
        },
    )
    assert set_password.status_code == 302
    assert newcomer.get("/me").status_code == 200
    assert client.application.test_client().get(path).status_code == 404  # single use
    user = db.exec(select(User).where(User.email == "neha@example.org")).one()
    assert user.organization_id == organization.id and user.role == "partner"


def test_expired_invitation_is_refused(app, client, db, login_as, mailbox):
    from portal.accounts.models import Invitation

    organization = factories.make_organization(db)
    login_as("staff")
    client.post_form(
        f"/admin/organizations/{organization.id}/invite",
        {"name": "Late", "email": "late@example.org"},
    )
    path = mailbox.link_path("late@example.org", "/invite/")
    invitation = db.exec(select(Invitation)).one()
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.add(invitation)
    db.commit()
    assert app.test_client().get(path).status_code == 404
