"""Every catalog interaction in Chromium at desktop width and at 360 px: tick facets, use the TRL
range, page through results, go Back and reload. Any console error (htmx's settle step once wrote
an empty `style` attribute, which the CSP refused) or horizontal overflow fails the journey."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.e2e.helpers import DESKTOP, PHONE, assert_clean, assert_no_overflow

# Something outside the portal (a browser extension, an autofill overlay, a screen magnifier)
# touching an element's inline style leaves `style=""` on it; htmx's settle step used to copy that
# attribute onto the new element, which the CSP blocks and logs as a console error.
TOUCH_STYLES = """() => document.querySelectorAll('#catalog-results [id]').forEach((e) => {
    e.style.outline = '1px solid red'; e.style.outline = '';
})"""


def _catalog(db) -> None:
    """25 sodium-ion technologies (two pages) at TRL 3..7, and three lithium-ion ones."""
    for n in range(25):
        factories.make_technology(
            db, slug=f"na-{n:02d}", title=f"Sodium cell {n:02d}", chemistry="na_ion", trl=3 + n % 5
        )
    for n in range(3):
        factories.make_technology(
            db, slug=f"li-{n}", title=f"Lithium cell {n}", chemistry="li_ion", trl=8
        )


def _count(page) -> str:
    return page.locator(".result-count").inner_text()


def _open_filters(page) -> None:
    """On a phone the filters sit behind a button; open them when they are hidden."""
    toggle = page.locator("#catalog-filters-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_facets_ranges_pages_back_and_reload_stay_clean(live_server, page, db, size):
    _catalog(db)
    page.set_viewport_size(size)
    page.goto(f"{live_server}/technologies")
    assert _count(page).startswith("28 technologies")
    assert_no_overflow(page, size)
    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))

    page.evaluate(TOUCH_STYLES)
    _open_filters(page)
    page.get_by_label(re.compile(r"^Sodium-ion")).check()
    page.wait_for_url(re.compile(r"chemistry=na_ion"))
    page.wait_for_load_state("networkidle")
    assert _count(page).startswith("25 technologies")
    assert_no_overflow(page, size)
    assert_clean(page)

    # Page 2 through the pager (an htmx swap), then the TRL range narrows the list.
    page.evaluate(TOUCH_STYLES)
    page.get_by_role("link", name=re.compile("Next")).click()
    page.wait_for_url(re.compile(r"page=2"))
    page.wait_for_load_state("networkidle")
    assert "page 2 of 2" in _count(page)
    assert page.locator("#catalog-results h3").count() == 5
    assert_clean(page)
    _open_filters(page)
    page.get_by_label("From", exact=True).select_option("5")
    page.wait_for_url(re.compile(r"trl_min=5"))
    page.get_by_label("To", exact=True).select_option("6")
    page.wait_for_url(re.compile(r"trl_min=5&trl_max=6"))
    page.wait_for_load_state("networkidle")
    assert _count(page).startswith("10 technologies")
    assert "page=" not in page.url  # a new filter starts again at page 1
    assert loads == [], "an interaction reloaded the whole page instead of swapping the results"
    assert_no_overflow(page, size)
    assert_clean(page)

    # Back restores the previous state, reload keeps it, and nothing logged an error.
    with page.expect_event("load"):
        page.go_back()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("chemistry=na_ion&trl_min=5")
    assert page.get_by_label("From", exact=True).input_value() == "5"
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.get_by_label("From", exact=True).input_value() == "5"
    assert page.get_by_label(re.compile(r"^Sodium-ion")).is_checked()
    assert _count(page).startswith("15 technologies")
    assert_no_overflow(page, size)
    assert_clean(page)
