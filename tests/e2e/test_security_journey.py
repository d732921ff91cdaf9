"""The security pages in Chromium, at desktop width and at 360 px: forgot password for a user
with two-step sign-in (the mailed link, then the code), the account pages that ask for the
password again, the token page with its expiry, and the staff's locked sign-ins. axe-core runs
on every page; no JS or console error (a CSP violation logs one) and no horizontal overflow."""

from __future__ import annotations

import pyotp

from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in

NEW_PASSWORD = "lithium and sodium together"
WIDTHS = ({"width": 1280, "height": 900}, {"width": 360, "height": 740})


def _check(page) -> None:
    """Accessible, no errors, and nothing wider than the window, at both widths."""
    for size in WIDTHS:
        page.set_viewport_size(size)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{page.url} overflows by {overflow}px at {size['width']}px"
        assert_accessible(page)
    page.set_viewport_size(WIDTHS[0])
    assert page.js_errors == [], page.js_errors
    assert page.console_errors == [], page.console_errors


def test_forgot_password_with_two_step_sign_in(live_server, page, db, mailbox):
    secret = pyotp.random_base32()
    user = factories.make_user(db, role="partner", name="Meera Shah", totp_secret=secret)
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    _check(page)
    page.get_by_label("E-mail address of your account").fill(user.email)
    page.get_by_role("button", name="Send the link").click()
    assert page.get_by_role("heading", name="Check your mail").is_visible()
    _check(page)

    path = mailbox.link_path(user.email, "/password/reset/")
    page.goto(f"{live_server}{path}")
    _check(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    assert "current code" in page.content()  # the link alone does not sign in
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_label("6-digit code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Set password and sign in").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/me")
    assert page.js_errors == [] and page.console_errors == []


def test_account_pages_ask_for_the_password_again(live_server, page, db, mailbox):
    user = factories.make_user(db, role="partner", name="Arjun Rao")
    sign_in(page, live_server, user.email, TEST_PASSWORD)
    for path in ("/account/password", "/account/email", "/account/two-step", "/me/tokens"):
        page.goto(f"{live_server}{path}")
        assert page.get_by_label("Current password").count() == (0 if path == "/me/tokens" else 1)
        _check(page)

    page.goto(f"{live_server}/me/tokens")
    page.get_by_label("Token name").fill("lab notebook")
    page.get_by_role("button", name="Create token").click()
    assert page.locator("#new-token").input_value().startswith("btp_")
    _check(page)

    page.goto(f"{live_server}/account/email")
    page.get_by_label("New e-mail address").fill("arjun.new@example.org")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_role("button", name="Send the confirmation link").click()
    assert "Your current password is not correct." in page.content()
    # The refused form answers 400, which Chromium logs; nothing else may have been logged.
    assert [e for e in page.console_errors if "status of 400" not in e] == []
    page.console_errors.clear()
    page.get_by_label("Current password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Send the confirmation link").click()
    page.wait_for_load_state("networkidle")
    assert "We sent a link to arjun.new@example.org" in page.content()
    page.goto(
        f"{live_server}{mailbox.link_path('arjun.new@example.org', '/account/email/confirm/')}"
    )
    _check(page)
    page.get_by_role("button", name="Use this address").click()
    page.wait_for_load_state("networkidle")
    assert "Your e-mail address is now arjun.new@example.org" in page.content()


def test_staff_see_and_lift_a_locked_sign_in(app, live_server, page, db):
    partner = factories.make_user(db, role="partner", name="Locked Out")
    staff = factories.make_user(db, role="staff", name="Vikram Iyer")
    attacker = app.test_client()
    for _ in range(10):
        attacker.post_form("/login", {"email": partner.email, "password": "wrong password"})
    sign_in(page, live_server, staff.email, TEST_PASSWORD)
    page.goto(f"{live_server}/admin/users")
    locked = page.locator("section", has=page.get_by_role("heading", name="Locked sign-ins"))
    assert partner.email in locked.inner_text()
    _check(page)
    locked.get_by_role("button", name="Unlock").click()
    page.wait_for_load_state("networkidle")
    assert f"{partner.email} may sign in again." in page.content()
    assert page.get_by_role("heading", name="Locked sign-ins").count() == 0
