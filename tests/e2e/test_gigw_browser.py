"""The GIGW pages in Chromium: axe-core clean in normal and high contrast, at desktop and 360 px;
text size and contrast persist across pages and reloads (localStorage, no cookie); feedback goes
through the real form."""

from __future__ import annotations

from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import DESKTOP, PHONE, assert_clean, assert_no_overflow

PAGES = (
    "/privacy",
    "/terms",
    "/copyright",
    "/hyperlinking",
    "/accessibility",
    "/help",
    "/feedback",
    "/sitemap",
)
ROOT_FONT = "parseFloat(getComputedStyle(document.documentElement).fontSize)"


def test_gigw_pages_are_accessible_in_both_contrasts_and_fit_a_phone(live_server, page):
    for contrast in ("normal", "high"):
        page.set_viewport_size(DESKTOP)
        page.goto(f"{live_server}/help")
        pressed = page.get_by_role("button", name="High contrast").get_attribute("aria-pressed")
        if (pressed == "true") != (contrast == "high"):
            page.get_by_role("button", name="High contrast").click()
        for path in PAGES:
            page.goto(f"{live_server}{path}")
            assert page.evaluate("document.documentElement.dataset.contrast") == contrast
            assert_accessible(page)
            assert_no_overflow(page, PHONE)
            assert_accessible(page)
            page.set_viewport_size(DESKTOP)
    assert_clean(page)


def test_text_size_and_contrast_persist_without_a_cookie(live_server, page):
    page.goto(f"{live_server}/")
    normal = page.evaluate(ROOT_FONT)
    page.get_by_role("button", name="Larger text").click()
    page.get_by_role("button", name="Larger text").click()
    larger = page.evaluate(ROOT_FONT)
    assert larger >= normal * 1.25
    page.get_by_role("button", name="High contrast").click()
    assert page.get_by_role("button", name="High contrast").get_attribute("aria-pressed") == "true"

    page.get_by_role("link", name="Accessibility statement").click()
    page.wait_for_load_state("load")
    assert page.evaluate(ROOT_FONT) == larger
    assert page.evaluate("document.documentElement.dataset.contrast") == "high"
    page.reload()
    assert page.evaluate(ROOT_FONT) == larger
    assert page.context.cookies() == []  # the choice lives in localStorage only

    page.get_by_role("button", name="Default text size").click()
    page.get_by_role("button", name="High contrast").click()
    page.reload()
    assert page.evaluate(ROOT_FONT) == normal
    assert page.evaluate("document.documentElement.dataset.contrast") == "normal"
    assert_clean(page)


def test_feedback_through_the_form(live_server, page, mailbox):
    page.goto(f"{live_server}/help")
    page.get_by_role("link", name="Feedback").first.click()
    page.get_by_label("Your feedback is about").select_option("accessibility")
    page.get_by_label("Message").fill("The chart has no text alternative on the compare page.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send feedback").click()
    assert page.get_by_role("heading", name="Thank you for your feedback").is_visible()
    assert_accessible(page)
    assert mailbox.messages and "compare page" in mailbox.body(mailbox.messages[-1])
    assert_clean(page)
