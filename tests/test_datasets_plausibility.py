"""Plausibility checks: each is a data-quality warning naming its cycles, on a real or a
mutated sample, and the warnings reach the page, the API (and its OpenAPI schema) and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from portal.datasets.ingest import ingest_file
from portal.datasets.ingest.conventions import HALF_CELL_CE_BAND, Convention
from tests import factories
from tests.cycler_data import cycler_file, write_arbin

ANODE_HALF_CELL = Convention(
    anode_mode=True, formation_cycles=1, ce_band=HALF_CELL_CE_BAND, voltage_window=(0.0, 5.0)
)
STEADY = [1.0, 0.995, 0.99, 0.985, 0.98, 0.975]


def _warnings(path: Path, tmp_path: Path, convention: Convention = Convention()) -> dict:
    result = ingest_file(path, tmp_path / "t.parquet", convention=convention)
    return {w["check"]: w for w in result.warnings}


def _mutate(path: Path, change) -> Path:
    """Rewrite an Arbin CSV row by row: ``change(fields)`` returns the new rows for one row."""
    header, *rows = path.read_text().splitlines()
    out = [header]
    for row in rows:
        out.extend(",".join(f) for f in change(row.split(",")))
    path.write_text("\n".join(out) + "\n")
    return path


def test_a_clean_synthetic_full_cell_has_no_warning(tmp_path):
    path = write_arbin(tmp_path / "clean.csv", STEADY)
    assert _warnings(path, tmp_path, Convention(voltage_window=(1.5, 4.6))) == {}


def test_efficiency_outside_the_half_cell_band_names_the_cut_off_cycle(tmp_path):
    # neware_uio's cycle 4 stops part-way through its delithiation: 1.44 of 3.32 mAh back.
    found = _warnings(cycler_file("neware_uio.csv"), tmp_path, ANODE_HALF_CELL)
    assert found["coulombic_efficiency"]["cycles"] == [4]
    assert "85%–102%" in found["coulombic_efficiency"]["message"]


def test_formation_cycles_are_outside_the_efficiency_check(tmp_path):
    # The same file read as a full cell: cycle 1 (83.5 %) is in the band, and formation
    # cycles are never judged however low they are.
    found = _warnings(cycler_file("neware_uio.csv"), tmp_path, ANODE_HALF_CELL)
    assert 1 not in found["coulombic_efficiency"]["cycles"]


def test_capacity_jump_between_consecutive_cycles(tmp_path):
    path = write_arbin(tmp_path / "jump.csv", [1.0, 1.0, 0.5, 0.5, 0.5, 0.5])
    found = _warnings(path, tmp_path)
    assert found["capacity_jump"]["cycles"] == [3]
    real = _warnings(cycler_file("neware_uio.csv"), tmp_path, ANODE_HALF_CELL)
    assert real["capacity_jump"]["cycles"] == [3, 4]  # 4.2 → 7.8 → 1.4 mAh


def test_voltage_outside_the_chemistry_window(tmp_path):
    # maccor_002 goes down to 0.03 V: fine against lithium, impossible for a Li-ion full cell.
    path = cycler_file("maccor_002.txt")
    full = _warnings(path, tmp_path, Convention(voltage_window=(1.5, 4.6)))
    assert full["voltage_window"]["cycles"] == [1, 2]
    assert "1.5–4.6 V" in full["voltage_window"]["message"]
    assert "voltage_window" not in _warnings(path, tmp_path, Convention(voltage_window=(0, 5)))


def test_current_sign_disagreeing_with_the_step_type(tmp_path):
    path = write_arbin(tmp_path / "sign.csv", STEADY)

    def flip_cycle_two(fields):  # a charge recorded with a negative current
        if fields[5] == "2" and fields[4] == "1":
            fields[6] = "-1.0"
        return [fields]

    found = _warnings(_mutate(path, flip_cycle_two), tmp_path)
    assert found["current_sign"]["cycles"] == [2]


def test_too_few_cycles_for_a_state_of_health_figure(tmp_path):
    landt = cycler_file("SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv")
    found = _warnings(landt, tmp_path, ANODE_HALF_CELL)
    assert found["too_few_cycles"]["message"] == (
        "Not enough cycles for a state-of-health figure: 1 after 1 formation cycle, "
        "at least 5 needed."
    )
    assert found["too_few_cycles"]["cycles"] == [2]
    many = write_arbin(tmp_path / "many.csv", STEADY)
    assert "too_few_cycles" not in _warnings(many, tmp_path)


def test_duplicated_records(tmp_path):
    path = write_arbin(tmp_path / "dup.csv", STEADY)

    def double_a_row_of_cycle_five(fields):
        return [fields, fields] if fields[0] == "170" else [fields]

    found = _warnings(_mutate(path, double_a_row_of_cycle_five), tmp_path)
    assert found["duplicate_records"]["cycles"] == [5]


def test_missing_records_skipped_cycles_and_gaps_in_time(tmp_path):
    path = write_arbin(tmp_path / "gap.csv", STEADY)

    def drop_cycle_three_and_stop_the_clock(fields):
        if fields[5] == "3":
            return []
        if fields[5] == "5":
            fields[1] = f"{float(fields[1]) + 86400:.3f}"  # a day without records before cycle 5
        return [fields]

    found = _warnings(_mutate(path, drop_cycle_three_and_stop_the_clock), tmp_path)
    assert found["missing_records"]["cycles"] == [4, 5]
    assert "skipped before cycles 4" in found["missing_records"]["message"]
    assert "gaps in time" in found["missing_records"]["message"]


@pytest.fixture
def landt_dataset(app, db):
    dataset = factories.make_dataset(
        db, chemistry="li_ion", cell_type="half_li_anode", visibility="public"
    )
    dataset_file = factories.ingest_into(
        app, dataset, cycler_file("SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv")
    )
    return dataset, dataset_file


def test_warnings_are_on_the_page_and_in_the_api(client, landt_dataset):
    dataset, _file = landt_dataset
    page = client.get(f"/datasets/{dataset.slug}").get_data(as_text=True)
    assert 'data-check="too_few_cycles"' in page

    body = client.get(f"/api/v1/datasets/{dataset.slug}").get_json()
    (api_file,) = body["files"]
    assert api_file["soh_status"] == "not_enough_cycles"
    assert api_file["cycles_to_80_soh"] is None
    assert {"check": "too_few_cycles", "cycles": [2]}.items() <= {
        k: v for w in api_file["warnings"] if w["check"] == "too_few_cycles" for k, v in w.items()
    }.items()
    cycles = client.get(api_file["cycles_url"]).get_json()["items"]
    assert [c["formation"] for c in cycles] == [True, False]


def test_openapi_describes_the_warnings(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schema = document["components"]["schemas"]["DatasetFile"]["properties"]
    item = schema["warnings"]["items"]
    assert item["required"] == ["check", "message", "cycles"]
    assert "voltage_window" in item["properties"]["check"]["enum"]
    assert "not_enough_cycles" in schema["soh_status"]["enum"]


def test_cli_prints_each_warning_with_its_cycles(app, db):
    from portal.datasets.models import Dataset

    factories.make_dataset(db, slug="half", chemistry="li_ion", cell_type="half_li_anode")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["ingest", str(cycler_file("neware_uio.csv")), "--dataset", "half"],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert any(
        line.startswith("warning [coulombic_efficiency]") and "cycles=4" in line for line in lines
    )
    assert any(
        line.startswith("warning [capacity_jump]") and "cycles=3,4" in line for line in lines
    )
    assert lines[-1].startswith("dataset=half ")
    assert db.exec(select(Dataset)).one().slug == "half"
