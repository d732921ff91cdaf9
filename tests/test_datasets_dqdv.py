"""dQ/dV per cycle, computed on the server by binning on voltage, on real files: the curve
integrates back to the cycle's capacity, peaks sit where the chemistry puts them, and the
endpoint and the page's table serve it to those who may see the dataset."""

from __future__ import annotations

import itertools

import pytest

from portal.datasets.ingest import ingest_file
from portal.datasets.ingest.incremental import BIN_V, dqdv_from_parquet, peaks
from tests import factories
from tests.cycler_data import cycler_file

LANDT = "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv"


@pytest.fixture
def maccor(tmp_path):
    out = tmp_path / "m.parquet"
    return ingest_file(cycler_file("maccor_002.txt"), out), out


def test_dqdv_integrates_back_to_each_half_cycle_capacity(maccor):
    result, parquet = maccor
    curves = dqdv_from_parquet(parquet, [1, 2])
    for row in result.cycles:
        branches = curves[str(row["cycle_index"])]
        charged = sum(branches["charge"]["dqdv_ah_per_v"]) * BIN_V
        discharged = -sum(branches["discharge"]["dqdv_ah_per_v"]) * BIN_V
        # The moving average only moves a little capacity past the ends of the curve.
        assert charged == pytest.approx(row["charge_capacity_ah"], rel=0.01)
        assert discharged == pytest.approx(row["discharge_capacity_ah"], rel=0.01)


def test_bins_are_ten_millivolts_and_charge_is_positive(maccor):
    _result, parquet = maccor
    charge = dqdv_from_parquet(parquet, [1])["1"]["charge"]
    steps = {round(b - a, 6) for a, b in itertools.pairwise(charge["voltage_v"])}
    assert steps == {BIN_V}
    assert min(charge["dqdv_ah_per_v"]) >= 0


def test_graphite_half_cell_peaks_are_its_staging_plateaus(tmp_path):
    ingest_file(cycler_file(LANDT), tmp_path / "l.parquet")
    found = {
        (p["cycle"], p["branch"]): p for p in peaks(dqdv_from_parquet(tmp_path / "l.parquet", [1]))
    }
    # Lithium-graphite staging lies below 0.25 V vs Li/Li+, in both directions.
    assert 0.05 < found[(1, "discharge")]["voltage_v"] < 0.25
    assert 0.05 < found[(1, "charge")]["voltage_v"] < 0.25
    assert found[(1, "discharge")]["dqdv_ah_per_v"] < 0 < found[(1, "charge")]["dqdv_ah_per_v"]


def test_a_cycle_not_in_the_file_gives_nothing(maccor):
    _result, parquet = maccor
    assert dqdv_from_parquet(parquet, [99]) == {}


def test_endpoint_and_table_fallback(app, client, db):
    dataset = factories.make_dataset(db, visibility="public")
    dataset_file = factories.ingest_into(app, dataset, cycler_file("maccor_002.txt"))
    base = f"/datasets/{dataset.slug}/files/{dataset_file.id}"

    body = client.get(f"{base}/dqdv.json?cycles=2").get_json()
    assert list(body["cycles"]) == ["2"]
    assert "10 mV" in body["method"]
    assert {p["branch"] for p in body["peaks"]} == {"charge", "discharge"}

    page = client.get(f"/datasets/{dataset.slug}?cycles=1").get_data(as_text=True)
    assert 'id="dqdv-table"' in page and 'data-chart="dqdv"' in page
    assert "10 mV voltage bins" in page
    assert "3.2" in page.split('id="dqdv-table"')[1].split("</table>")[0]  # LFP-like plateau


def test_endpoint_hides_a_restricted_dataset(app, client, db):
    dataset = factories.make_dataset(db, visibility="restricted")
    dataset_file = factories.ingest_into(app, dataset, cycler_file("maccor_002.txt"))
    response = client.get(f"/datasets/{dataset.slug}/files/{dataset_file.id}/dqdv.json")
    assert response.status_code == 404
