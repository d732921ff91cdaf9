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
