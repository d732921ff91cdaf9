"""The public visitor in Chromium: filter the catalog live (the URL follows, Back restores the filters),
open a technology, send an expression of interest (both mails reach the SMTP server), see a public
dataset's capacity plot drawn; and the same catalog and inquiry form with JavaScript switched off.
axe-core runs on every page visited; no uncaught JS error and no console error (CSP) may appear."""

from __future__ import annotations

import re

from sqlmodel import select

from portal.catalog.models import Inquiry
from tests import factories
from tests.cycler_data import CYCLER_DIR
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import assert_canvas_keeps_its_height

MACCOR = CYCLER_DIR / "maccor_002.txt"
STAFF_INBOX = "techtransfer@coe-battery.example"  # PORTAL_STAFF_EMAIL's default


def _catalog(app, db):
    """Four technologies (two sodium-ion at TRL >= 6) and a public dataset behind one of them."""
    cell = factories.make_technology(
        db,
        slug="na-18650",
        title="Sodium-ion 18650 cell",
        summary="A cylindrical sodium-ion cell made with indigenous hard carbon.",
        chemistry="na_ion",
        trl=6,
        problem="Lithium is imported.",
        specific_energy_wh_per_kg=140.0,
        cycle_life=3000,
    )
    factories.make_technology(
        db, slug="na-pouch", title="Sodium-ion pouch cell", chemistry="na_ion", trl=8
    )
    factories.make_technology(
        db, slug="na-carbon", title="Hard carbon anode", chemistry="na_ion", trl=4
    )
    factories.make_technology(
        db, slug="lfp-cell", title="LFP 32700 cell", chemistry="li_ion", trl=7
    )
    dataset = factories.make_dataset(
        db,
        slug="na-18650-cycling",
        title="18650 cycle-life test",
        visibility="public",
        technology_id=cell.id,
        attribution="Maccor sample from cellpy (MIT).",
    )
    factories.ingest_into(app, dataset, MACCOR)
    return cell, dataset


def _clean(page) -> None:
    """No uncaught JS error and no console error (a CSP violation logs one) so far."""
    assert page.js_errors == [], page.js_errors
    assert page.console_errors == [], page.console_errors


def _results(page) -> list[str]:
    return sorted(page.locator("#catalog-results h3").all_inner_texts())


def test_visitor_filters_opens_writes_and_sees_a_plot(app, live_server, page, db, mailbox):
    _catalog(app, db)

    # Live filtering: each change swaps the results through htmx and pushes the URL.
    page.goto(f"{live_server}/technologies")
    assert_accessible(page)
    assert len(_results(page)) == 4
    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))
    page.get_by_label(re.compile(r"^Sodium-ion")).check()
    page.wait_for_url(re.compile(r"chemistry=na_ion"))
    page.get_by_label("From").select_option("6")
    page.wait_for_url(re.compile(r"chemistry=na_ion&trl_min=6$"))
    page.wait_for_load_state("networkidle")
    assert _results(page) == ["Sodium-ion 18650 cell", "Sodium-ion pouch cell"]
    assert loads == [], "filtering reloaded the whole page instead of swapping the results"
    assert page.locator(".result-count").inner_text().startswith("2 technologies")
    assert_accessible(page)

    # Back restores the previous filter state (the URL, the form and the list).
    with page.expect_event("load"):
        page.go_back()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/technologies?chemistry=na_ion")
    assert page.get_by_label(re.compile(r"^Sodium-ion")).is_checked()
    assert page.get_by_label("From").input_value() == ""
    assert _results(page) == ["Hard carbon anode", "Sodium-ion 18650 cell", "Sodium-ion pouch cell"]
    assert_accessible(page)
    with page.expect_event("load"):
        page.go_forward()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("chemistry=na_ion&trl_min=6")
    assert page.get_by_label("From").input_value() == "6"
    assert _results(page) == ["Sodium-ion 18650 cell", "Sodium-ion pouch cell"]

    # Open a technology and express interest.
    page.get_by_role("link", name="Sodium-ion 18650 cell").click()
    page.wait_for_url(re.compile(r"/technologies/na-18650$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Sodium-ion 18650 cell"
    assert page.get_by_text("TRL 6 of 9").is_visible()
    assert_accessible(page)
    page.get_by_label("Your name").fill("Arjun Mehta")
    page.get_by_label("E-mail").fill("arjun@voltcraft.example")
    page.get_by_label("Organisation").fill("Voltcraft Mobility")
    page.get_by_label("I am interested in").select_option("testing_services")
    page.get_by_label("Message").fill("Too short")
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()
    # The server refuses it and says why next to the field (axe checks the error state too).
    assert page.get_by_text("Write between 10 and 5,000 characters.").is_visible()
    assert page.get_by_label("Message").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Your name").input_value() == "Arjun Mehta"
    assert_accessible(page)
    assert mailbox.messages == []
    # The refused form answers 400, which Chromium logs; that one console line is expected.
    assert [e for e in page.console_errors if "status of 400" not in e] == []
    page.console_errors.clear()
    page.get_by_label("Message").fill("We want to test the cells for an electric scooter.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()
    assert page.get_by_role("heading", name="Thank you, we received your message").is_visible()
    assert_accessible(page)
    inquiry = db.exec(select(Inquiry).where(Inquiry.email == "arjun@voltcraft.example")).one()
    assert inquiry.interest == "testing_services" and inquiry.technology_id is not None
    assert len(mailbox.to("arjun@voltcraft.example")) == 1
    (staff_mail,) = mailbox.to(STAFF_INBOX)
    assert "Sodium-ion 18650 cell" in staff_mail["Subject"]
    assert "Voltcraft Mobility" in mailbox.body(staff_mail)

    # The technology page links the public dataset; its capacity plot is really drawn.
    page.goto(f"{live_server}/technologies/na-18650")
    page.get_by_role("link", name="18650 cycle-life test").click()
    page.wait_for_url(re.compile(r"/datasets/na-18650-cycling$"))
    page.wait_for_function(
        """() => {
            const chart = window.Chart && Chart.getChart(document.getElementById('capacity-chart'));
            return chart && chart.data.datasets[0].data.length === 2;
        }"""
    )
    points = page.evaluate(
        "Chart.getChart(document.getElementById('capacity-chart')).data.datasets[0].data"
    )
    assert [p["x"] for p in points] == [1, 2]
    assert all(0.002 < p["y"] < 0.0025 for p in points)  # a 2.3 mAh coin cell, in Ah
    painted = page.evaluate(
        """() => {
            const canvas = document.getElementById('capacity-chart');
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let drawn = 0;
            for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) { drawn += 1; } }
            return drawn;
        }"""
    )
    assert painted > 500, f"the capacity canvas is (almost) blank: {painted} pixels drawn"
    assert_canvas_keeps_its_height(page, "capacity-chart", 250, 320, frames=5)
    # The voltage curves for the default cycles are drawn as well, on axes that hold the whole curve
    # (a charge-discharge curve is not sorted by capacity; the axis must not come from its ends).
    page.wait_for_function(
        "() => { const c = window.Chart && Chart.getChart(document.getElementById('voltage-chart'));"
        " return c && c.data.datasets.length > 0 && c.data.datasets[0].data.length > 10; }"
    )
    x_axis, x_values = page.evaluate(
        """() => {
            const chart = Chart.getChart(document.getElementById('voltage-chart'));
            const xs = chart.data.datasets.flatMap((d) => d.data.map((p) => p.x));
            return [[chart.scales.x.min, chart.scales.x.max], [Math.min(...xs), Math.max(...xs)]];
        }"""
    )
    assert x_axis[0] <= x_values[0] and x_axis[1] >= x_values[1], (x_axis, x_values)
    assert x_values[1] > 0.002  # a whole discharge of the 2.3 mAh cell is on the plot
    assert_accessible(page)
    _clean(page)


def test_catalog_and_inquiry_work_without_javascript(app, live_server, browser, db, mailbox):
    _catalog(app, db)
    context = browser.new_context(java_script_enabled=False, locale="en-IN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    console: list[str] = []  # axe needs JavaScript; CSP still reports blocked inline styles here
    page.on("console", lambda message: console.append(message.text))
    try:
        page.goto(f"{live_server}/technologies")
        page.get_by_label(re.compile(r"^Sodium-ion")).check()
        page.get_by_label("From").select_option("6")
        assert page.url.endswith("/technologies")  # nothing happens until the form is sent
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url(re.compile(r"/technologies\?"))
        assert "chemistry=na_ion" in page.url and "trl_min=6" in page.url
        assert _results(page) == ["Sodium-ion 18650 cell", "Sodium-ion pouch cell"]
        assert page.get_by_label(re.compile(r"^Sodium-ion")).is_checked()

        page.get_by_role("link", name="Sodium-ion pouch cell").click()
        page.wait_for_url(re.compile(r"/technologies/na-pouch$"))
        # A mistake first: the server answers with the form and a message next to the field.
        page.get_by_label("Your name").fill("Priya Nair")
        page.get_by_label("E-mail").fill("not-an-address")
        page.get_by_label("Organisation").fill("Kochi Cells")
        page.get_by_label("Message").fill("Licensing for stationary storage.")
        page.get_by_role("button", name="Send").click()
        page.wait_for_load_state()
        assert page.get_by_text("Enter an e-mail address like name@company.in.").is_visible()
        assert page.get_by_label("E-mail").get_attribute("aria-invalid") == "true"
        page.get_by_label("E-mail").fill("priya@kochicells.example")
        page.get_by_role("button", name="Send").click()
        page.wait_for_url(re.compile(r"/interest/sent"))
        assert page.get_by_role("heading", name="Thank you, we received your message").is_visible()
        assert db.exec(select(Inquiry).where(Inquiry.email == "priya@kochicells.example")).one()
        assert len(mailbox.to("priya@kochicells.example")) == 1
        assert len(mailbox.to(STAFF_INBOX)) == 1
        assert [line for line in console if "status of 400" not in line] == [], console
    finally:
        context.close()
