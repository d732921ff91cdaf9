"""The Landt graphite half cell's page in Chromium, at desktop width and at 360 px: the capacity,
voltage and dQ/dV plots are drawn, the cycle axis counts whole cycles (the 2-cycle file shows
1 and 2, never 1.1, 1.2 ...), redrawing other cycles updates the dQ/dV table, the page states
the convention and "not enough cycles"; and the comparison of two datasets draws retention,
voltage curves and dQ/dV. No JS or console error, no horizontal overflow, axe clean."""

from __future__ import annotations

from tests import factories
from tests.cycler_data import cycler_file
from tests.e2e.conftest import assert_accessible

LANDT = "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv"
WIDTHS = ({"width": 1280, "height": 900}, {"width": 360, "height": 740})
DRAWN = """(id) => {
    const chart = window.Chart && Chart.getChart(document.getElementById(id));
    return Boolean(chart) && chart.data.datasets.some((d) => d.data.length > 1);
}"""


def _landt(app, db):
    dataset = factories.make_dataset(
        db,
        slug="landt-half-cell",
        title="Li / graphite half cell",
        chemistry="li_ion",
        cell_type="half_li_anode",
        visibility="public",
    )
    factories.ingest_into(app, dataset, cycler_file(LANDT))
    return dataset


def test_half_cell_page_plots_whole_cycles_and_dqdv(app, live_server, page, db):
    dataset = _landt(app, db)
    page.goto(f"{live_server}/datasets/{dataset.slug}")
    for chart in ("capacity-chart", "voltage-chart", "dqdv-chart"):
        page.wait_for_function(DRAWN, arg=chart)

    ticks = page.evaluate(
        "Chart.getChart(document.getElementById('capacity-chart')).scales.x.ticks"
        ".filter((t) => t.label !== null && t.label !== '').map((t) => t.value)"
    )
    assert ticks and all(float(t).is_integer() for t in ticks), ticks
    assert {1, 2} <= set(ticks)

    assert "not enough cycles" in page.locator("#soh-summary").inner_text()
    assert "anode mode" in page.locator("#convention").inner_text()

    # Redraw cycle 1 only: the dQ/dV plot and its table follow.
    page.get_by_label("Cycles to draw").fill("1")
    page.get_by_role("button", name="Draw").click()
    page.wait_for_function(
        "() => Chart.getChart(document.getElementById('dqdv-chart')).data.datasets"
        ".every((d) => d.label.startsWith('Cycle 1 '))"
    )
    page.locator("details.dqdv-peaks summary").click()
    cycles = page.locator("#dqdv-table tbody tr td:first-child").all_inner_texts()
    assert cycles == ["1", "1"], cycles
    _fits_and_clean(page)


def test_comparison_draws_retention_voltage_and_dqdv(app, live_server, page, db):
    landt = _landt(app, db)
    maccor = factories.make_dataset(
        db, slug="maccor-coin", title="Maccor coin", visibility="public"
    )
    factories.ingest_into(app, maccor, cycler_file("maccor_002.txt"))
    page.goto(f"{live_server}/datasets/compare?d={landt.slug}&d={maccor.slug}&cycles=1")
    for chart in ("compare-chart", "compare-voltage-chart", "compare-dqdv-chart"):
        page.wait_for_function(DRAWN, arg=chart)
    labels = page.evaluate(
        "Chart.getChart(document.getElementById('compare-dqdv-chart')).data.datasets.map((d) => d.label)"
    )
    assert any(label.startswith("Maccor coin, cycle 1") for label in labels), labels
    assert any(label.startswith("Li / graphite half cell, cycle 1") for label in labels), labels
    ticks = page.evaluate(
        "Chart.getChart(document.getElementById('compare-chart')).scales.x.ticks"
        ".filter((t) => t.label !== null && t.label !== '').map((t) => t.value)"
    )
    assert ticks and all(float(t).is_integer() for t in ticks), ticks
    assert page.locator("#compare-table tbody tr").count() == 2
    _fits_and_clean(page)


def _fits_and_clean(page) -> None:
    """Nothing wider than the window at desktop width and at 360 px, axe clean, no errors."""
    for size in WIDTHS:
        page.set_viewport_size(size)
        # Chart.js follows a resize on its next frames: let the canvases settle first.
        page.wait_for_function(
            "(w) => [...document.querySelectorAll('canvas')]"
            ".every((c) => c.getBoundingClientRect().right <= w)",
            arg=size["width"],
        )
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{page.url} overflows by {overflow}px at {size['width']}px"
        assert_accessible(page)
    assert page.js_errors == [], page.js_errors
    assert page.console_errors == [], page.console_errors
