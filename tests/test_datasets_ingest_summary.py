"""Per-cycle summary: capacities against cellpy, efficiencies, reference capacity, retention,
cycles to 80 % state of health, data-quality flags and plot series."""

import math

import polars as pl
import pytest

from portal.datasets.ingest import ingest_file
from portal.datasets.ingest.canonical import SUMMARY_KEYS
from portal.datasets.ingest.summarise import cycle_table
from tests.cycler_data import cellpy_summary, cycler_file, write_arbin

CELLPY_TOLERANCE = 0.005  # 0.5 %


@pytest.mark.parametrize("name", ["neware_uio.csv", "maccor_002.txt"])
def test_capacities_agree_with_cellpy_within_half_a_percent(name, tmp_path):
    reference = cellpy_summary(name)
    result = ingest_file(cycler_file(name), tmp_path / "t.parquet")

    ours = {row["cycle_index"]: row for row in result.cycles}
    assert sorted(ours) == [int(row["cycle_num"]) for row in reference]
    for row in reference:
        cycle = ours[int(row["cycle_num"])]
        for mine, theirs in (
            ("charge_capacity_ah", "charge_capacity"),
            ("discharge_capacity_ah", "discharge_capacity"),
        ):
            assert cycle[mine] == pytest.approx(row[theirs], rel=CELLPY_TOLERANCE), (row, mine)
        # cellpy states coulombic efficiency in percent, the portal as a fraction.
        assert cycle["coulombic_efficiency"] == pytest.approx(
            row["coulombic_efficiency"] / 100, rel=CELLPY_TOLERANCE
        )


def test_summary_rows_have_exactly_the_agreed_keys(tmp_path):
    result = ingest_file(cycler_file("maccor_002.txt"), tmp_path / "t.parquet")
    assert all(tuple(row) == SUMMARY_KEYS for row in result.cycles)
    first = result.cycles[0]
    assert first["coulombic_efficiency"] == pytest.approx(
        first["discharge_capacity_ah"] / first["charge_capacity_ah"]
    )
    assert first["energy_efficiency"] == pytest.approx(
        first["discharge_energy_wh"] / first["charge_energy_wh"]
    )
    assert first["min_voltage_v"] < first["max_voltage_v"]
    assert first["duration_s"] > 0


def test_reference_retention_and_cycles_to_80_percent(tmp_path):
    capacities = [1.0, 1.02, 1.01, 0.95, 0.9, 0.85, 0.81, 0.79, 0.75]
    path = write_arbin(tmp_path / "fade.csv", capacities)

    result = ingest_file(path, tmp_path / "fade.parquet")

    assert [row["cycle_index"] for row in result.cycles] == list(range(1, 10))
    assert result.reference_rule == "maximum discharge capacity of the first 3 cycles"
    assert result.reference_capacity_ah == pytest.approx(1.02, rel=1e-6)
    retention = [row["capacity_retention"] for row in result.cycles]
    assert retention == pytest.approx([c / 1.02 for c in capacities], rel=1e-6)
    # 0.81/1.02 = 0.794 is the first cycle after the reference under 80 %.
    assert result.cycles_to_80_soh == 7
    efficiencies = [row["coulombic_efficiency"] for row in result.cycles]
    assert efficiencies == pytest.approx([0.98] * 9, rel=1e-6)
    assert result.capacity_series["cycle_index"] == list(range(1, 10))
    assert result.capacity_series["capacity_retention"] == pytest.approx(retention)


def test_cycles_to_80_is_none_when_never_reached(tmp_path):
    path = write_arbin(tmp_path / "steady.csv", [1.0, 0.99, 0.98, 0.97])
    assert ingest_file(path, tmp_path / "s.parquet").cycles_to_80_soh is None


def test_efficiencies_are_undefined_without_charge(tmp_path):
    result = ingest_file(cycler_file("FastCharge_000025_CH8.csv"), tmp_path / "r.parquet")
    (rest,) = result.cycles
    assert rest["cycle_index"] == 0
    assert rest["charge_capacity_ah"] == 0.0
    assert rest["coulombic_efficiency"] is None and rest["energy_efficiency"] is None
    assert rest["capacity_retention"] is None
    assert result.reference_capacity_ah is None and result.cycles_to_80_soh is None


def test_capacity_series_is_downsampled_to_max_plot_points(tmp_path):
    path = write_arbin(tmp_path / "many.csv", [1.0 - 0.001 * n for n in range(60)], points=3)
    result = ingest_file(path, tmp_path / "m.parquet", max_plot_points=10)
    assert len(result.cycles) == 60
    series = result.capacity_series
    assert len(series["cycle_index"]) == 10
    assert series["cycle_index"][0] == 1 and series["cycle_index"][-1] == 60
    assert len(result.voltage_preview) == 5
    assert list(result.voltage_preview) == ["1", "16", "31", "45", "60"]


def test_flags_time_going_backwards_and_impossible_values(tmp_path):
    path = write_arbin(tmp_path / "bad.csv", [1.0, 0.99])
    lines = path.read_text().splitlines()
    lines[5], lines[6] = lines[6], lines[5]  # time goes backwards once
    cells = lines[10].split(",")
    cells[7] = "12.5"  # 12.5 V
    lines[10] = ",".join(cells)
    cells = lines[12].split(",")
    cells[6] = "garbage"  # non-numeric current
    lines[12] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")

    result = ingest_file(path, tmp_path / "bad.parquet")

    flags = " | ".join(result.flags)
    assert "1 times the test time goes backwards" in flags
    assert "1 rows have an impossible voltage" in flags
    assert "1 rows have a missing, non-numeric or infinite time, voltage or current" in flags


def test_nan_and_infinite_cells_become_null_and_are_flagged(tmp_path):
    path = write_arbin(tmp_path / "nan.csv", [1.0])
    lines = path.read_text().splitlines()
    cells = lines[3].split(",")
    cells[7] = "NaN"
    lines[3] = ",".join(cells)
    cells = lines[4].split(",")
    cells[7] = "inf"
    lines[4] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")

    result = ingest_file(path, tmp_path / "nan.parquet")

    voltage = pl.read_parquet(tmp_path / "nan.parquet").get_column("voltage_v")
    assert voltage.null_count() == 2 and not voltage.is_nan().any()
    assert any(flag.startswith("2 rows have a missing") for flag in result.flags)
    assert all(math.isfinite(row["max_voltage_v"]) for row in result.cycles)


def test_cycle_table_is_the_same_whether_or_not_cycles_are_in_file_order(tmp_path):
    path = write_arbin(tmp_path / "order.csv", [1.0, 0.9, 0.8])
    ingest_file(path, tmp_path / "o.parquet")
    table = pl.read_parquet(tmp_path / "o.parquet")
    # Relabel cycle 1 as 9: the cycles are no longer sorted in file order.
    shuffled = table.with_columns(
        pl.when(pl.col("cycle_index") == 1)
        .then(9)
        .otherwise(pl.col("cycle_index"))
        .alias("cycle_index")
    )
    ordered = cycle_table(table).drop("cycle_index")
    unordered = cycle_table(shuffled)
    unordered = pl.concat([unordered.tail(1), unordered.head(2)]).drop("cycle_index")
    for column in ordered.columns:
        assert ordered.get_column(column).to_list() == pytest.approx(
            unordered.get_column(column).to_list(), rel=1e-9, abs=1e-12
        ), column


def test_a_stray_quote_that_swallows_lines_is_flagged(tmp_path):
    path = write_arbin(tmp_path / "quote.csv", [1.0, 0.99])
    lines = path.read_text().splitlines()
    lines[7] = lines[7].replace("2024-01-01", '"2024-01-01')
    path.write_text("\n".join(lines) + "\n")

    result = ingest_file(path, tmp_path / "q.parquet")

    assert result.row_count < len(lines) - 1
    assert any("could not be read as rows" in flag for flag in result.flags)


def test_the_summary_fields_are_declared_once_for_the_table_the_api_and_the_csv():
    from portal.datasets.ingest.canonical import CycleSummaryFields
    from portal.datasets.models import CycleSummary
    from portal.datasets.schemas import SUMMARY_CSV_COLUMNS, CycleSummaryPublic

    assert tuple(CycleSummaryFields.model_fields) == SUMMARY_KEYS
    assert set(CycleSummary.__table__.columns.keys()) == {*SUMMARY_KEYS, "id", "dataset_file_id"}
    assert tuple(CycleSummaryPublic.model_fields) == SUMMARY_KEYS == SUMMARY_CSV_COLUMNS
