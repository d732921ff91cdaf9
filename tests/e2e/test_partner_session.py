"""A partner signs in, sees the dashboard, signs out, and the copied cookie no longer works."""

from __future__ import annotations

from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in


def test_partner_login_dashboard_logout_refuses_old_cookie(live_server, page, db):
    organization = factories.make_organization(db, name="Watthour Private Limited")
    user = factories.make_user(db, role="partner", organization=organization, name="Meera Shah")

    sign_in(page, live_server, user.email, TEST_PASSWORD)
    assert page.url.endswith("/me")
    assert page.get_by_role("heading", level=1).inner_text() == "Watthour Private Limited"
    assert page.get_by_role("navigation", name="Main").get_by_text("My dashboard").is_visible()
    assert_accessible(page)

    cookie = next(c for c in page.context.cookies() if c["name"] == "portal_session")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("networkidle")
    assert "You are signed out" in page.content()

    # A second browser presents the cookie copied before logout: it is refused.
    thief = page.context.browser.new_context()
    thief.add_cookies([cookie])
    stolen = thief.new_page()
    stolen.goto(f"{live_server}/me")
    assert "/login" in stolen.url
    thief.close()
    assert page.js_errors == []


def test_login_page_is_accessible_and_works_without_javascript(live_server, browser, db):
    user = factories.make_user(db, role="staff", name="Vikram Iyer")
    context = browser.new_context(java_script_enabled=False)
    no_js = context.new_page()
    sign_in(no_js, live_server, user.email, TEST_PASSWORD)
    assert no_js.url.endswith("/admin")
    assert no_js.get_by_role("heading", name="Staff dashboard").is_visible()
    context.close()
