"""PEC cycler CSV: the Key:,Value preamble, units from the headers, counters that restart at
each cycle, cycles from 0, signed (or unsigned) current, and the preamble's metadata."""

import csv
import shutil

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

from portal.datasets.ingest import detect_format, ingest_file
from tests.cycler_data import cycler_file, ingests_or_refuses_clearly, mutated

PEC = "pec.csv"


def raw_rows() -> tuple[list[str], list[list[str]]]:
    with open(cycler_file(PEC), newline="", encoding="utf-8", errors="replace") as handle:
        lines = list(csv.reader(handle))
    start = next(i for i, row in enumerate(lines) if row[:2] == ["Test", "Cell"])
    return lines[start], lines[start + 1 :]


def reference_cycles() -> dict[int, tuple[float, float, float]]:
    """Independent computation from the raw CSV (Python's csv module): PEC's counters are
    cumulative within a cycle, so a cycle's charge and discharge are the last values of
    'Charge Capacity (mAh)' / 'Discharge Capacity (mAh)' (and 'Charge Capacity (mWh)') in it."""
    header, rows = raw_rows()
    cycle = header.index("Cycle")
    charge, discharge = (
        header.index("Charge Capacity (mAh)"),
        header.index("Discharge Capacity (mAh)"),
    )
    energy = header.index("Charge Capacity (mWh)")
    last = {}
    for row in rows:
        last[int(row[cycle])] = (
            float(row[charge]) / 1e3,
            float(row[discharge]) / 1e3,
            float(row[energy]) / 1e3,
        )
    return last


def test_pec_per_cycle_capacity_agrees_with_the_raw_counters(tmp_path):
    result = ingest_file(cycler_file(PEC), tmp_path / "p.parquet")
    reference = reference_cycles()

    assert [c["cycle_index"] for c in result.cycles] == sorted(reference) == [0, 1, 2]
    for cycle in result.cycles:
        charge, discharge, energy = reference[cycle["cycle_index"]]
        assert cycle["charge_capacity_ah"] == pytest.approx(charge, rel=5e-3, abs=1e-9)
        assert cycle["discharge_capacity_ah"] == pytest.approx(discharge, rel=5e-3, abs=1e-9)
        assert cycle["charge_energy_wh"] == pytest.approx(energy, rel=5e-3, abs=1e-9)
    assert result.cycles[1]["discharge_capacity_ah"] == pytest.approx(44.351991)  # a 43 Ah cell


def test_pec_units_become_si_and_the_time_is_in_seconds(tmp_path):
    ingest_file(cycler_file(PEC), tmp_path / "p.parquet")
    table = pl.read_parquet(tmp_path / "p.parquet")
    _, rows = raw_rows()
    assert table.height == len(rows)
    assert table.get_column("voltage_v").item(0) == pytest.approx(3.272632)
    assert table.get_column("current_a").min() == pytest.approx(-1.6402, abs=1e-3)
    assert table.get_column("test_time_s").item(-1) == pytest.approx(float(rows[-1][8]))
    assert table.get_column("temperature_c").drop_nulls().mean() == pytest.approx(25, abs=2)


def test_pec_is_detected_by_content_under_any_name(tmp_path):
    disguised = tmp_path / "upload.txt"
    shutil.copyfile(cycler_file(PEC), disguised)
    assert detect_format(disguised) == "pec_csv"


def test_pec_metadata_comes_from_the_preamble(tmp_path):
    result = ingest_file(cycler_file(PEC), tmp_path / "p.parquet")
    # "Test Temp:,R.T./AMB" is no temperature, so none is reported.
    assert result.metadata == {
        "cycler": "PEC",
        "test_name": "Test 187",
        "start_time": "2019-02-22T16:21:35",
    }


def test_unsigned_pec_currents_are_signed_from_the_discharge_counter(tmp_path):
    text = cycler_file(PEC).read_text(encoding="utf-8", errors="replace")
    head, _, body = text.partition("Station Temperature (°C),\n")
    header = "Station Temperature (°C),\n"
    column = head.splitlines()[-1].split(",").index("Current (mA)")
    rows = []
    for line in body.splitlines():
        cells = line.split(",")
        cells[column] = cells[column].lstrip("-")
        rows.append(",".join(cells))
    unsigned = tmp_path / "unsigned.csv"
    unsigned.write_text(head + header + "\n".join(rows) + "\n", encoding="utf-8")

    signed = ingest_file(cycler_file(PEC), tmp_path / "a.parquet")
    result = ingest_file(unsigned, tmp_path / "b.parquet")

    assert any("current column is unsigned" in flag for flag in result.flags)
    a, b = pl.read_parquet(tmp_path / "a.parquet"), pl.read_parquet(tmp_path / "b.parquet")
    moving = a.get_column("current_a").abs() > 0.5  # leave rests and their noise aside
    assert (
        a.get_column("current_a").filter(moving) == b.get_column("current_a").filter(moving)
    ).all()
    assert [c["discharge_capacity_ah"] for c in result.cycles] == [
        c["discharge_capacity_ah"] for c in signed.cycles
    ]


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated(cycler_file(PEC).read_bytes()[:40_000]))
def test_mutated_pec_files_ingest_or_raise_ingest_error(data):
    ingests_or_refuses_clearly(data)


def _pec_file(path, rows: list[dict[str, float]]) -> None:
    """A PEC export of the sample's preamble and header with ``rows`` (other cells blank)."""
    text = cycler_file(PEC).read_text(encoding="utf-8", errors="replace")
    head, header, _ = text.partition("Station Temperature (°C),\n")
    names = (head + header).splitlines()[-1].split(",")
    lines = [",".join(f"{row.get(name, '')}" for name in names) for row in rows]
    path.write_text(head + header + "\n".join(lines) + "\n", encoding="utf-8")


def _run(step: int, count: int, start: float, charge: tuple[float, float], discharge: tuple):
    """``count`` records of one step at an unsigned 1 A, its counters moving linearly."""
    return [
        {
            "Step": step,
            "Cycle": 0,
            "Total Time (Seconds)": start + i,
            "Voltage (mV)": 3700,
            "Current (mA)": 1000,
            "Charge Capacity (mAh)": charge[0] + (charge[1] - charge[0]) * i / (count - 1),
            "Discharge Capacity (mAh)": discharge[0]
            + (discharge[1] - discharge[0]) * i / (count - 1),
            "ReasonCode": 30,
        }
        for i in range(count)
    ]


@pytest.mark.parametrize("recurring", [False, True])
def test_unsigned_current_is_signed_per_run_of_one_step(tmp_path, recurring):
    # Charge on step 1, discharge on step 2, then a discharge on step 1 again (a program that
    # loops back) or on step 3. Taken together, step 1's runs grow the discharge counter more,
    # so only a direction worked out run by run signs its first run as a charge.
    last = 1 if recurring else 3
    rows = (
        _run(1, 5, 0, (0, 2), (0, 0))
        + _run(2, 5, 5, (2, 2), (0, 1))
        + _run(last, 5, 10, (2, 2), (1, 5))
    )
    _pec_file(tmp_path / "loop.csv", rows)

    ingest_file(tmp_path / "loop.csv", tmp_path / "loop.parquet")

    current = pl.read_parquet(tmp_path / "loop.parquet").get_column("current_a").to_list()
    assert current == [1.0] * 5 + [-1.0] * 10
