"""Issue 10, finding 2 (re-invitation), finding 3 (step-up re-authentication) and the "Also"
items on sign-in (failed sign-ins audited, locks that cannot hold an account locked, staff
seeing and lifting locks). Each test replays the attack and checks it fails."""

from __future__ import annotations

import logging
import re

import pyotp
from sqlmodel import func, select

from portal import db as portal_db
from portal.accounts.links import issue_link
from portal.accounts.models import Invitation, User
from portal.audit.models import AuditEntry
from portal.vocabulary import LinkPurpose
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.test_security_tokens import bearer, make_token

NEW_PASSWORD = "quite another passphrase 9"


def with_second_factor(db, user: User) -> str:
    """Give a (signed-in) user a second factor; returns its secret."""
    secret = pyotp.random_base32()
    user.totp_secret = secret
    db.add(user)
    db.commit()
    return secret


def invitations_of(db, user: User) -> list[Invitation]:
    return list(db.exec(select(Invitation).where(Invitation.user_id == user.id)).all())


def actions(db) -> list[str]:
    return [entry.action for entry in db.exec(select(AuditEntry).order_by(AuditEntry.id)).all()]


def issue_invitation(app, user: User) -> str:
    """A raw invitation link token for `user`, as `invite_user` makes it."""
    from datetime import timedelta

    with app.app_context():
        session = portal_db.session()
        raw = issue_link(session, session.get(User, user.id), LinkPurpose.INVITE, timedelta(days=7))
        session.commit()
        return raw


# --- finding 2: re-inviting ---------------------------------------------------------------------


def test_reinviting_an_active_user_is_not_an_account_takeover(client, db, login_as, mailbox):
    victim = factories.make_user(db, role="partner")
    with_second_factor(db, victim)
    login_as("admin")
    response = client.post_form(f"/admin/users/{victim.id}/reinvite", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "already set a password" in page and "/invite/" not in page
    assert invitations_of(db, victim) == [] and mailbox.to(victim.email) == []
    db.refresh(victim)
    assert victim.password_hash and victim.totp_secret


def test_an_accepted_invitation_still_asks_a_user_with_a_second_factor_for_the_code(app, db):
    invited = factories.make_user(db, role="partner", password_hash=None)
    secret = with_second_factor(db, invited)
    raw = issue_invitation(app, invited)
    browser = app.test_client()
    page = browser.get(f"/invite/{raw}").get_data(as_text=True)
    assert 'name="code"' in page
    for code in ("", "000000"):
        answer = browser.post_form(
            f"/invite/{raw}", {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "code": code}
        )
        assert answer.status_code == 200 and "current code" in answer.get_data(as_text=True)
        assert browser.get("/me").status_code == 302  # not signed in
        db.refresh(invited)
        assert invited.password_hash is None  # nothing changed without the code
    done = browser.post_form(
        f"/invite/{raw}",
        {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "code": pyotp.TOTP(secret).now()},
    )
    assert done.status_code == 302 and browser.get("/me").status_code == 200


def test_the_staff_page_says_the_link_was_sent_and_never_shows_it(client, db, login_as, mailbox):
    organization = factories.make_organization(db)
    login_as("staff")
    invited = client.post_form(
        f"/admin/organizations/{organization.id}/invite",
        {"name": "Asha", "email": "asha@example.org"},
        follow_redirects=True,
    ).get_data(as_text=True)
    user = db.exec(select(User).where(User.email == "asha@example.org")).one()
    again = client.post_form(f"/admin/users/{user.id}/reinvite", follow_redirects=True).get_data(
        as_text=True
    )
    for page in (invited, again):
        assert "was sent to asha@example.org" in page and "/invite/" not in page
    assert len(mailbox.to("asha@example.org")) == 2
    first, second = (mailbox.body(m) for m in mailbox.to("asha@example.org"))
    assert "/invite/" in first and "/invite/" in second
    # The new link replaced the first one.
    assert sum(1 for i in invitations_of(db, user) if i.used_at is None) == 1


def test_the_development_log_shows_the_link_when_no_mail_server_is_set(
    app, client, db, login_as, caplog
):
    app.config["SMTP_URL"] = ""
    organization = factories.make_organization(db)
    login_as("staff")
    with caplog.at_level(logging.INFO, logger="portal.mail"):
        page = client.post_form(
            f"/admin/organizations/{organization.id}/invite",
            {"name": "Dev", "email": "dev@example.org"},
            follow_redirects=True,
        ).get_data(as_text=True)
    assert "written to the portal's log" in page and "/invite/" not in page
    logged = [r.getMessage() for r in caplog.records if "/invite/" in r.getMessage()]
    assert logged and "/invite/[redacted]" not in logged[0]


def test_staff_may_not_reinvite_staff_or_admins(client, db, login_as, mailbox):
    pending_staff = factories.make_user(db, role="staff", password_hash=None)
    pending_admin = factories.make_user(db, role="admin", password_hash=None)
    pending_partner = factories.make_user(db, role="partner", password_hash=None)
    login_as("staff")
    for target in (pending_staff, pending_admin):
        page = client.post_form(f"/admin/users/{target.id}/reinvite", follow_redirects=True)
        assert "may not send a new link" in page.get_data(as_text=True)
        assert invitations_of(db, target) == [] and mailbox.to(target.email) == []
    client.post_form(f"/admin/users/{pending_partner.id}/reinvite")
    assert len(invitations_of(db, pending_partner)) == 1 and mailbox.to(pending_partner.email)


def test_admins_may_not_take_over_other_admins_by_reinviting(client, db, login_as, mailbox):
    other_admin = factories.make_user(db, role="admin")
    login_as("admin")
    page = client.post_form(f"/admin/users/{other_admin.id}/reinvite", follow_redirects=True)
    assert "already set a password" in page.get_data(as_text=True)
    assert invitations_of(db, other_admin) == [] and mailbox.to(other_admin.email) == []


def test_an_admin_resets_a_lost_second_factor_explicitly_audited_and_mailed(
    app, client, db, login_as, mailbox
):
    user = factories.make_user(db, role="partner")
    with_second_factor(db, user)
    raw = make_token(app, user)
    staff_browser = app.test_client()
    login_as("staff", client_=staff_browser)
    staff_browser.post_form(f"/admin/users/{user.id}/reset-two-step")
    db.refresh(user)
    assert user.totp_secret is not None  # plain staff may not (the policy says admins only)

    admin = login_as("admin")
    client.post_form(f"/admin/users/{user.id}/reset-two-step")
    db.refresh(user)
    assert user.totp_secret is None
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "user.totp_reset")).one()
    assert entry.actor_id == admin.id and entry.target_id == str(user.id)
    (mail,) = mailbox.to(user.email)
    assert "turned off two-step sign-in" in mailbox.body(mail)
    assert app.test_client().get("/api/v1/me/agreements", headers=bearer(raw)).status_code == 401


# --- finding 3: step-up re-authentication ---------------------------------------------------------


def test_two_step_sign_in_cannot_be_turned_off_without_the_password_and_a_current_code(
    app, client, db, login_as, mailbox
):
    user = login_as("partner")
    secret = with_second_factor(db, user)
    raw = make_token(app, user)
    page = client.get("/account/two-step").get_data(as_text=True)
    ids = re.findall(r' id="([^"]+)"', page)
    assert 'name="off-current_code"' in page and len(ids) == len(set(ids))  # two forms, no clash
    # The reviewer's attack: a token POST with no CSRF value.
    attack = app.test_client().post("/account/two-step/disable", headers=bearer(raw))
    assert attack.status_code == 302 and "/login" in attack.headers["Location"]
    for fields in (
        {},
        {"off-current_password": TEST_PASSWORD},
        {"off-current_password": TEST_PASSWORD, "off-current_code": "000000"},
        {"off-current_password": "wrong password", "off-current_code": pyotp.TOTP(secret).now()},
    ):
        refused = client.post_form("/account/two-step/disable", fields)
        assert refused.status_code == 400, fields
        db.refresh(user)
        assert user.totp_secret == secret
    assert mailbox.to(user.email) == []
    done = client.post_form(
        "/account/two-step/disable",
        {"off-current_password": TEST_PASSWORD, "off-current_code": pyotp.TOTP(secret).now()},
    )
    assert done.status_code == 302
    db.refresh(user)
    assert user.totp_secret is None
    (mail,) = mailbox.to(user.email)
    assert "turned off" in mailbox.body(mail)


def test_two_step_sign_in_cannot_be_replaced_without_the_password_and_a_current_code(
    client, db, login_as, mailbox
):
    user = login_as("partner")
    old = with_second_factor(db, user)
    page = client.get("/account/two-step").get_data(as_text=True)
    new = page.split('id="totp-secret">')[1].split("<")[0]
    # A second enrolment in an already protected session, as the reviewer did it:
    attack = client.post_form("/account/two-step", {"code": pyotp.TOTP(new).now()})
    assert attack.status_code == 400
    no_current_code = client.post_form(
        "/account/two-step", {"code": pyotp.TOTP(new).now(), "current_password": TEST_PASSWORD}
    )
    assert no_current_code.status_code == 400
    db.refresh(user)
    assert user.totp_secret == old
    replaced = client.post_form(
        "/account/two-step",
        {
            "code": pyotp.TOTP(new).now(),
            "current_password": TEST_PASSWORD,
            "current_code": pyotp.TOTP(old).now(),
        },
    )
    assert replaced.status_code == 302
    db.refresh(user)
    assert user.totp_secret == new
    assert "new authenticator" in mailbox.body(mailbox.to(user.email)[0])
    assert "user.totp_replaced" in actions(db)


def test_changing_the_password_asks_for_a_current_code_too(client, db, login_as, mailbox):
    user = login_as("partner")
    secret = with_second_factor(db, user)
    change = {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD}
    refused = client.post_form("/account/password", {**change, "confirm": NEW_PASSWORD})
    assert refused.status_code == 400
    db.refresh(user)
    assert user.password_changed_at is None and mailbox.to(user.email) == []
    done = client.post_form(
        "/account/password",
        {**change, "confirm": NEW_PASSWORD, "current_code": pyotp.TOTP(secret).now()},
    )
    assert done.status_code == 302
    (mail,) = mailbox.to(user.email)
    assert "password of your account was changed" in mailbox.body(mail)


def test_changing_the_email_address_needs_re_authentication_and_the_new_mailbox(
    app, client, db, login_as, mailbox
):
    user = login_as("partner")
    old_address = user.email
    refused = client.post_form(
        "/account/email", {"new_email": "new@example.org", "current_password": "not it at all"}
    )
    assert refused.status_code == 400 and mailbox.to("new@example.org") == []
    asked = client.post_form(
        "/account/email", {"new_email": "New@Example.org", "current_password": TEST_PASSWORD}
    )
    assert asked.status_code == 302
    notice = mailbox.body(mailbox.to(old_address)[0])
    assert "new@example.org" in notice and "only when the link" in notice
    path = mailbox.link_path("new@example.org", "/account/email/confirm/")
    db.refresh(user)
    assert user.email == old_address  # nothing changes until the new mailbox confirms
    opener = app.test_client()
    assert opener.get(path).status_code == 200
    db.refresh(user)
    assert user.email == old_address  # a GET never changes anything
    assert opener.post_form(path).status_code == 302
    db.refresh(user)
    assert user.email == "new@example.org"
    assert len(mailbox.to(old_address)) == 2  # told again when it happened
    assert app.test_client().get(path).status_code == 404  # single use
    signed_in = app.test_client().post_form(
        "/login", {"email": "new@example.org", "password": TEST_PASSWORD}
    )
    assert signed_in.status_code == 302
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "user.email_changed")).one()
    assert entry.changes["after"]["email"] == "new@example.org"


def test_failed_re_authentication_counts_toward_the_lock(client, db, login_as):
    user = login_as("partner")
    statuses = [
        client.post_form(
            "/account/password",
            {"current_password": "guess", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        ).status_code
        for _ in range(10)
    ]
    assert statuses[:9] == [400] * 9 and statuses[9] == 429
    right = client.post_form(
        "/account/password",
        {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert right.status_code == 429  # no second factor: the lock holds for the password alone
    reasons = db.exec(
        select(AuditEntry.changes).where(AuditEntry.action == "user.login_failed")
    ).all()
    assert {r["step"] for r in reasons} == {"re-authentication"}
    db.refresh(user)
    assert user.password_changed_at is None


# --- sign-in: failures audited, locks that cannot hold an account ------------------------------


def test_failed_sign_ins_are_audited_with_the_email_as_typed_the_ip_and_the_reason(client, db):
    user = factories.make_user(db, role="partner")
    client.post_form("/login", {"email": user.email.upper(), "password": "hunter2 secret"})
    client.post_form("/login", {"email": "Nobody@Example.org", "password": "hunter2 secret"})
    entries = db.exec(
        select(AuditEntry).where(AuditEntry.action == "user.login_failed").order_by(AuditEntry.id)
    ).all()
    assert [e.changes["reason"] for e in entries] == ["wrong password", "unknown e-mail"]
    assert [e.changes["email"] for e in entries] == [user.email.upper(), "Nobody@Example.org"]
    assert entries[0].target_id == str(user.id) and entries[1].target_id == ""
    assert all(e.ip == "127.0.0.1" and e.actor_label == "anonymous" for e in entries)
    assert all("hunter2" not in str(e.changes) + e.target_label for e in entries)


def test_a_locked_admin_with_a_second_factor_still_gets_in(app, client, db):
    admin = factories.make_user(db, role="admin")
    secret = with_second_factor(db, admin)
    attacker = app.test_client()
    for _ in range(10):
        attacker.post_form("/login", {"email": admin.email, "password": "not the password"})
    locked = attacker.post_form("/login", {"email": admin.email, "password": "still wrong"})
    assert locked.status_code == 429
    # The real admin: right password, then a valid code, gets through the lock.
    step = client.post_form("/login", {"email": admin.email, "password": TEST_PASSWORD})
    assert step.status_code == 302 and step.headers["Location"].endswith("/login/verify")
    assert client.post_form("/login/verify", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert client.get("/admin").status_code == 200


def test_a_lock_still_holds_without_a_second_factor(client, db):
    user = factories.make_user(db, role="partner")
    for _ in range(10):
        client.post_form("/login", {"email": user.email, "password": "not the password"})
    assert (
        client.post_form("/login", {"email": user.email, "password": TEST_PASSWORD}).status_code
        == 429
    )
    reasons = db.exec(
        select(AuditEntry.changes).where(AuditEntry.action == "user.login_failed")
    ).all()
    assert reasons[-1]["reason"] == "locked"


def test_staff_see_locked_accounts_and_unlock_them_audited(app, client, db, login_as):
    partner = factories.make_user(db, role="partner")
    admin = factories.make_user(db, role="admin")
    attacker = app.test_client()
    for target in (partner, admin):
        for _ in range(10):
            attacker.post_form("/login", {"email": target.email, "password": "wrong password"})
    staff = login_as("staff")
    page = client.get("/admin/users").get_data(as_text=True)
    locked = page.split('id="locked-heading"')[1].split("</section>")[0]
    assert partner.email in locked and admin.email in locked
    assert f"/admin/users/{partner.id}/unlock" in locked
    assert f"/admin/users/{admin.id}/unlock" not in locked  # staff lift partners' locks only
    refused = client.post_form(f"/admin/users/{admin.id}/unlock", follow_redirects=True)
    assert "may not unlock" in refused.get_data(as_text=True)
    client.post_form(f"/admin/users/{partner.id}/unlock")
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "user.unlocked")).one()
    assert entry.actor_id == staff.id and entry.target_id == str(partner.id)
    assert (
        app.test_client()
        .post_form("/login", {"email": partner.email, "password": TEST_PASSWORD})
        .status_code
        == 302
    )
    after = client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{partner.id}/unlock" not in after
    assert admin.email in after.split('id="locked-heading"')[1].split("</section>")[0]


def test_wrong_codes_lock_only_the_code_step_and_show_as_locked(app, client, db, login_as):
    partner = factories.make_user(db, role="partner")
    with_second_factor(db, partner)
    browser = app.test_client()
    browser.post_form("/login", {"email": partner.email, "password": TEST_PASSWORD})
    statuses = [
        browser.post_form("/login/verify", {"code": "123456"}).status_code for _ in range(10)
    ]
    assert statuses[-1] == 429
    login_as("staff")
    assert f"/admin/users/{partner.id}/unlock" in client.get("/admin/users").get_data(as_text=True)
    client.post_form(f"/admin/users/{partner.id}/unlock")
    assert (
        db.exec(select(func.count(AuditEntry.id)).where(AuditEntry.action == "user.unlocked")).one()
        == 1
    )
    # Unlocked: the code step answers again at once (a wrong code is a plain refusal, not 429).
    browser.post_form("/login", {"email": partner.email, "password": TEST_PASSWORD})
    assert browser.post_form("/login/verify", {"code": "123456"}).status_code == 200


def test_reloading_the_invitation_page_invites_no_one_again(client, db, login_as, mailbox):
    organization = factories.make_organization(db)
    login_as("staff")
    response = client.post_form(
        f"/admin/organizations/{organization.id}/invite",
        {"name": "Ravi", "email": "ravi@example.org"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/users/invited")
    assert "was sent to ravi@example.org" in client.get("/admin/users/invited").get_data(
        as_text=True
    )
    reload = client.get("/admin/users/invited")  # the browser's reload repeats only the GET
    assert reload.status_code == 302 and reload.headers["Location"].endswith("/admin/users")
    assert len(mailbox.to("ravi@example.org")) == 1
    assert len(db.exec(select(User).where(User.email == "ravi@example.org")).all()) == 1
