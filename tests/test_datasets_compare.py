"""Comparing datasets: the same cycles' voltage curves and dQ/dV from each chosen dataset,
retention overlaid, and a table of those cycles as the text version; only visible datasets."""

from __future__ import annotations

import pytest

from tests import factories
from tests.cycler_data import cycler_file

LANDT = "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv"


@pytest.fixture
def three(app, db):
    maccor = factories.make_dataset(
        db, slug="maccor-coin", title="Maccor coin", visibility="public"
    )
    factories.ingest_into(app, maccor, cycler_file("maccor_002.txt"))
    landt = factories.make_dataset(
        db,
        slug="landt-half",
        title="Landt half cell",
        visibility="public",
        chemistry="li_ion",
        cell_type="half_li_anode",
    )
    factories.ingest_into(app, landt, cycler_file(LANDT))
    hidden = factories.make_dataset(db, slug="hidden-one", title="Hidden", visibility="restricted")
    factories.ingest_into(app, hidden, cycler_file("maccor_002.txt"))
    return maccor, landt, hidden


def test_curves_json_gives_each_dataset_the_same_cycles(client, three):
    body = client.get(
        "/datasets/compare/curves.json?d=maccor-coin&d=landt-half&d=hidden-one&cycles=1,2"
    ).get_json()
    assert body["cycles"] == [1, 2]
    assert sorted(s["slug"] for s in body["series"]) == ["landt-half", "maccor-coin"]
    for series in body["series"]:
        assert set(series["voltage"]) == {"1", "2"}
        assert "charge" in series["dqdv"]["1"] and "discharge" in series["dqdv"]["1"]
    landt = next(s for s in body["series"] if s["slug"] == "landt-half")
    assert max(landt["voltage"]["1"]["voltage_v"]) < 3.0  # a graphite half cell


def test_compare_page_table_lists_the_chosen_cycles_with_peaks(client, three):
    page = client.get("/datasets/compare?d=maccor-coin&d=landt-half&cycles=1").get_data(
        as_text=True
    )
    table = page.split('id="compare-table"')[1].split("</table>")[0]
    assert "Maccor coin" in table and "Landt half cell" in table
    assert "formation" in table  # the half cell's first cycle
    assert "50.79" in table  # its anode-mode efficiency
    assert "charge 3.2" in table  # the Maccor cell's dQ/dV plateau near 3.2-3.3 V
    assert 'data-chart="compareDqdv"' in page and 'data-chart="compareVoltage"' in page


def test_compare_never_shows_a_dataset_the_visitor_may_not_see(client, three):
    page = client.get("/datasets/compare?d=hidden-one&cycles=1").get_data(as_text=True)
    assert "Hidden" not in page
    body = client.get("/datasets/compare/curves.json?d=hidden-one").get_json()
    assert body["series"] == []


def test_bad_cycle_input_falls_back_to_cycle_one(client, three):
    body = client.get("/datasets/compare/curves.json?d=maccor-coin&cycles=<x>").get_json()
    assert body["cycles"] == [1]
