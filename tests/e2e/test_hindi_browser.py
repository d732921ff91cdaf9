"""Hindi in a real browser: the vendored Devanagari font loads, the page fits 360 px, and a date is
typed DD-MM-YYYY (the browser's own pattern check agrees with the server)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from portal.accounts.models import ApiToken
from portal.dates import local_today
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import sign_in
from tests.e2e.helpers import check_at_widths

FONT_FILE = "noto-sans-devanagari-devanagari-400-normal.woff2"


def test_a_hindi_page_uses_the_vendored_font_and_takes_a_day_first_date(live_server, page, db):
    user = factories.make_user(db, role="partner", organization=factories.make_organization(db))
    fonts: list[str] = []
    page.on("response", lambda r: fonts.append(r.url) if r.ok and ".woff2" in r.url else None)
    sign_in(page, live_server, user.email, TEST_PASSWORD)
    page.goto(f"{live_server}/me/tokens")
    page.locator("#language").select_option("hi")
    with page.expect_navigation():
        page.locator("form.lang-switch button[type=submit]").click()
    assert page.locator("html").get_attribute("lang") == "hi"
    assert "व्यक्तिगत API टोकन" in page.content()

    page.evaluate("document.fonts.ready")
    assert page.evaluate("""document.fonts.check('16px "Portal Devanagari"', 'टोकन')""")
    assert any(url.endswith(FONT_FILE) for url in fonts), fonts

    expiry = page.locator("input[name=expires_on]")
    assert expiry.get_attribute("type") == "text" and expiry.get_attribute("inputmode") == "numeric"
    expiry.fill("12/31/2026x")
    assert not expiry.evaluate("input => input.checkValidity()")  # the pattern is in force
    chosen = local_today() + timedelta(days=30)
    expiry.fill(chosen.strftime("%d-%m-%Y"))
    assert expiry.evaluate("input => input.checkValidity()")
    page.locator("input[name=name]").fill("notebook")
    with page.expect_navigation():
        page.locator("form:has(input[name=expires_on]) button[type=submit]").click()
    token = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert token.expires_on == chosen
    check_at_widths(page)
