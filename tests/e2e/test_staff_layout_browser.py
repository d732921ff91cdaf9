"""Staff pages at a 1366 px laptop width: the navigation stays on one line, table columns line up
(figures right-aligned under right-aligned headings, dates on one line), the dataset page's badge
and buttons share one line, and the footer sits at the bottom of a short page."""

from __future__ import annotations

import os

from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import RESULTS_DIR, sign_in
from tests.e2e.helpers import assert_clean

LAPTOP = {"width": 1366, "height": 768}
SHOTS = os.environ.get("PORTAL_SHOTS")  # set to save screenshots while working on the layout

LINE_TOPS = """(selector) => [...document.querySelectorAll(selector)]
    .filter((e) => e.offsetParent !== null)
    .map((e) => Math.round(e.getBoundingClientRect().top))"""
ALIGNS = """(selector) => [...document.querySelectorAll(selector)].map((e) => getComputedStyle(e).textAlign)"""
HEIGHTS = """(selector) => [...document.querySelectorAll(selector)].map((e) => e.getBoundingClientRect().height)"""


def _shot(page, name: str) -> None:
    if SHOTS:
        RESULTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS_DIR / f"layout-{name}.png"), full_page=True)


def test_staff_pages_line_up_at_1366_px(live_server, page, db):
    admin = factories.make_user(db, role="admin", name="Dr. Kavitha Subramanian-Raghunathan")
    organization = factories.make_organization(db)
    for status in ("draft", "active", "terminated"):
        factories.make_agreement(db, organization=organization, status=status)
    dataset = factories.make_dataset(db, title="Cycle-life set")
    page.set_viewport_size(LAPTOP)
    sign_in(page, live_server, admin.email, TEST_PASSWORD)

    page.goto(f"{live_server}/admin")
    _shot(page, "dashboard")
    tops = page.evaluate(LINE_TOPS, ".site-nav li:not(.nav-spacer)")
    assert len(tops) >= 12 and max(tops) - min(tops) < 12, f"the staff navigation wraps: {tops}"
    assert set(page.evaluate(ALIGNS, ".status-counts th, .status-counts td")) == {"right"}

    page.goto(f"{live_server}/admin/audit")
    _shot(page, "audit")
    date_cells = page.evaluate(HEIGHTS, "table.audit td:first-child")
    line = page.evaluate(HEIGHTS, "table.audit td:nth-child(2)")
    assert date_cells and max(date_cells) <= min(line) + 1, "the audit date wraps"

    page.goto(f"{live_server}/admin/datasets/{dataset.slug}")
    _shot(page, "dataset")
    centres = page.evaluate(
        """() => [...document.querySelectorAll('.page-head .actions > *')]
            .map((e) => { const r = e.getBoundingClientRect(); return Math.round(r.top + r.height / 2); })"""
    )
    assert max(centres) - min(centres) <= 2, f"badge and buttons out of line: {centres}"

    page.goto(f"{live_server}/admin/users")  # a short page: the footer sits at the bottom
    for path in ("/interest/sent", "/login"):
        page.goto(f"{live_server}{path}")
        bottom = page.evaluate(
            "document.querySelector('.site-footer').getBoundingClientRect().bottom"
        )
        assert bottom >= LAPTOP["height"] - 1, f"footer floats at {bottom}px on {path}"
    assert_clean(page)
