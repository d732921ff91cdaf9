"""Checks several browser tests share."""

from __future__ import annotations

CANVAS_HEIGHTS = """async ([id, frames]) => {
    const canvas = document.getElementById(id);
    const seen = [];
    for (let i = 0; i < frames; i += 1) {
        seen.push(canvas.getBoundingClientRect().height);
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50)));
    }
    return seen;
}"""


def assert_canvas_keeps_its_height(page, canvas_id: str, low: float, high: float, frames: int = 5):
    """Chart.js resizes to its container: the canvas keeps one height, between low and high,
    over several frames instead of growing frame by frame."""
    heights = page.evaluate(CANVAS_HEIGHTS, [canvas_id, frames])
    assert len(set(heights)) == 1 and low <= heights[0] <= high, heights


WIDTHS = ({"width": 1280, "height": 900}, {"width": 360, "height": 740})


def check_at_widths(page) -> None:
    """At 1280 and 360 px: nothing wider than the window and axe-clean; no JS or console error."""
    from tests.e2e.conftest import assert_accessible

    for size in WIDTHS:
        page.set_viewport_size(size)
        page.wait_for_timeout(250)  # a chart redraws for the new width on its next frame
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{page.url} overflows by {overflow}px at {size['width']}px"
        assert_accessible(page)
    page.set_viewport_size(WIDTHS[0])


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than its window (0 or less: it fits)."""
    return page.evaluate(OVERFLOW)


def assert_no_overflow(page, size: dict) -> None:
    """At this window size the page is no wider than the window."""
    page.set_viewport_size(size)
    overflow = horizontal_overflow(page)
    assert overflow <= 0, f"{page.url} overflows by {overflow}px at {size['width']}px"


def assert_clean(page) -> None:
    """No uncaught JS error and no console error (a CSP violation logs one) so far."""
    assert page.js_errors == [], page.js_errors
    assert page.console_errors == [], page.console_errors
