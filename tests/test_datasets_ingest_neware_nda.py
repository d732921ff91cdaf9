"""Neware native files through fastnda: .nda (binary) and .ndax (a zip recognised by its
members before any archive handling), checked per cycle against the reference tables."""

import io
import shutil
import zipfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from sqlmodel import select

from portal.datasets import files
from portal.datasets.ingest import IngestError, container_format, detect_format, ingest_file
from portal.datasets.models import DatasetFile
from portal.errors import ServiceError
from tests import factories
from tests.cycler_data import cycler_file, ingests_or_refuses_clearly, mutated

NDA, NDAX = "TestFile.nda", "nw4-120-1-6-53.ndax"
TOLERANCE = 5e-3  # 0.5 %


def per_cycle_from_steps(steps: pl.DataFrame) -> dict[int, tuple[float, float]]:
    """cellpy's way: counters that restart at every step are rebuilt into cumulative ones
    (each step adds its last value), and a cycle's capacity is the cumulative value at its
    end minus the one at the previous cycle's end: the sum of its steps' last values."""
    table = steps.group_by("cycle").agg(pl.col("charge").sum(), pl.col("discharge").sum())
    return {row["cycle"]: (row["charge"], row["discharge"]) for row in table.to_dicts()}


def newarenda_reference() -> dict[int, tuple[float, float]]:
    """NewareNDA's row table of TestFile.nda: mAh, split charge/discharge, per-step counters;
    ``Step`` counts steps through the test."""
    rows = pl.read_ipc(cycler_file("reference/TestFile.newarenda.ftr"))
    steps = rows.group_by("Step").agg(
        pl.col("Cycle").last().cast(pl.Int64).alias("cycle"),
        (pl.col("Charge_Capacity(mAh)").last().cast(pl.Float64) / 1e3).alias("charge"),
        (pl.col("Discharge_Capacity(mAh)").last().cast(pl.Float64) / 1e3).alias("discharge"),
    )
    return per_cycle_from_steps(steps)


def fastnda_reference() -> dict[int, tuple[float, float]]:
    """fastnda's row table of the .ndax: one unsigned per-step counter in mAs (1 mAs =
    1e-3 A x 1 s = 1/3.6e6 Ah) whose direction is the step type; ``Step Count`` counts steps."""
    rows = pl.read_parquet(cycler_file("reference/nw4-120-1-6-53.fastnda.parquet"))
    kind = pl.col("Step Type").cast(pl.String).str.to_lowercase()
    steps = rows.group_by("Step Count").agg(
        pl.col("Cycle Index").last().cast(pl.Int64).alias("cycle"),
        (pl.col("Capacity(mAs)").last().cast(pl.Float64).abs() / 3.6e6).alias("q"),
        kind.last().alias("kind"),
    )
    steps = steps.with_columns(
        pl.when(pl.col("kind").str.contains("dchg")).then(0.0).otherwise(pl.col("q")).alias("charge"),
        pl.when(pl.col("kind").str.contains("dchg")).then(pl.col("q")).otherwise(0.0).alias("discharge"),
    )  # fmt: skip
    return per_cycle_from_steps(steps)


def assert_cycles_agree(cycles: list[dict], reference: dict[int, tuple[float, float]]) -> None:
    assert [c["cycle_index"] for c in cycles] == sorted(reference)
    for cycle in cycles:
        charge, discharge = reference[cycle["cycle_index"]]
        assert cycle["charge_capacity_ah"] == pytest.approx(charge, rel=TOLERANCE, abs=1e-9)
        assert cycle["discharge_capacity_ah"] == pytest.approx(discharge, rel=TOLERANCE, abs=1e-9)


def test_nda_per_cycle_capacity_agrees_with_newarenda(tmp_path):
    result = ingest_file(cycler_file(NDA), tmp_path / "n.parquet")
    assert_cycles_agree(result.cycles, newarenda_reference())
    assert result.cycles[1]["discharge_capacity_ah"] == pytest.approx(5.8066, rel=1e-4)


def test_ndax_per_cycle_capacity_agrees_with_fastndas_reference_table(tmp_path):
    result = ingest_file(cycler_file(NDAX), tmp_path / "n.parquet")
    reference = fastnda_reference()
    assert len(reference) == 150
    assert_cycles_agree(result.cycles, reference)


def test_ndax_rows_are_in_si_units_with_charge_positive(tmp_path):
    ingest_file(cycler_file(NDAX), tmp_path / "n.parquet")
    table = pl.read_parquet(tmp_path / "n.parquet")
    reference = pl.read_parquet(cycler_file("reference/nw4-120-1-6-53.fastnda.parquet"))
    assert table.height == reference.height
    current_a = reference.get_column("Current(uA)").cast(pl.Float64) * 1e-6
    voltage_v = reference.get_column("Voltage(mV)").cast(pl.Float64) * 1e-3
    assert (table.get_column("current_a") - current_a).abs().max() < 1e-6
    assert (table.get_column("voltage_v") - voltage_v).abs().max() < 1e-4
    charging = reference.get_column("Step Type").cast(pl.String).str.contains("DChg").not_()
    assert (table.filter(charging).get_column("current_a") >= 0).all()
    assert (table.get_column("test_time_s").diff().drop_nulls() >= 0).all()


@pytest.mark.parametrize(("name", "fmt"), [(NDA, "neware_nda"), (NDAX, "neware_ndax")])
def test_neware_files_are_detected_by_content_under_any_name(tmp_path, name, fmt):
    disguised = tmp_path / "upload.zip"
    shutil.copyfile(cycler_file(name), disguised)
    assert detect_format(disguised) == fmt
    assert ingest_file(disguised, tmp_path / "n.parquet").format == fmt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.parquet", "upload.zip"]


def test_ndax_is_a_cycler_file_not_an_archive():
    assert container_format(cycler_file(NDAX)) == "neware_ndax"
    assert container_format(cycler_file("pec.csv")) is None


def test_ndax_metadata_comes_from_its_xml_members(tmp_path):
    result = ingest_file(cycler_file(NDAX), tmp_path / "n.parquet")
    assert result.metadata == {
        "cycler": "Neware BTS Client 8.0.0.478",
        "channel": "120-0-6",
        "start_time": "2025-04-07T12:44:13",
        "test_name": "250403_kigr_gen9_06",
        "voltage_max_v": pytest.approx(4.9),
        "voltage_min_v": pytest.approx(3.5),
        "nominal_capacity_ah": pytest.approx(0.00387),  # MultCap 13932 mAs = 3.87 mAh
    }


def test_nda_metadata_comes_from_its_header(tmp_path):
    result = ingest_file(cycler_file(NDA), tmp_path / "n.parquet")
    assert result.metadata["cycler"] == "Neware BTS 9.1.5.7.20240403.R5"
    assert result.metadata["test_name"] == "cell16"
    assert result.metadata["start_time"].startswith("2024-05-27T08:02:48")


def rebuilt_ndax(path: Path, change) -> Path:
    """A copy of the sample .ndax with its members passed through ``change(name, data)``."""
    with zipfile.ZipFile(cycler_file(NDAX)) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = change(info.filename, source.read(info))
            if data is not None:
                target.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda name, data: None if name == "data.ndc" else data,
            "The Neware .ndax file has no data.ndc member (the measured data): it is incomplete.",
        ),
        (
            lambda name, data: data[: len(data) // 2] if name == "data.ndc" else data,
            "The Neware .ndax file could not be read: it is damaged, truncated, or written by a "
            "BTS version the reader does not know.",
        ),
        (
            lambda name, data: bytes(len(data)) if name == "data_runInfo.ndc" else data,
            "The Neware .ndax file could not be read: it is damaged, truncated, or written by a "
            "BTS version the reader does not know.",
        ),
    ],
    ids=["data-member-removed", "data-member-cut", "runinfo-member-zeroed"],
)
def test_a_mutated_ndax_is_refused_with_a_clear_reason(tmp_path, change, message):
    broken = rebuilt_ndax(tmp_path / "broken.ndax", change)
    with pytest.raises(IngestError) as caught:
        ingest_file(broken, tmp_path / "n.parquet")
    assert caught.value.message == message
    assert not (tmp_path / "n.parquet").exists()


def test_a_cut_off_ndax_is_still_recognised_and_refused_as_truncated(tmp_path):
    cut = tmp_path / "cut.ndax"
    cut.write_bytes(cycler_file(NDAX).read_bytes()[:100_000])
    assert detect_format(cut) == "neware_ndax"
    with pytest.raises(IngestError) as caught:
        ingest_file(cut, tmp_path / "n.parquet")
    assert caught.value.message == (
        "The Neware .ndax file is damaged or truncated: its zip structure cannot be read."
    )


def test_a_cut_off_nda_is_flagged_as_truncated(tmp_path):
    cut = tmp_path / "cut.nda"
    cut.write_bytes(cycler_file(NDA).read_bytes()[:100_000])
    result = ingest_file(cut, tmp_path / "n.parquet")
    assert 0 < result.row_count < 6670
    assert any("it may be truncated" in flag for flag in result.flags)


def test_an_ndax_that_inflates_like_a_bomb_is_refused(tmp_path):
    bomb = rebuilt_ndax(
        tmp_path / "bomb.ndax",
        lambda name, data: data + bytes(50_000_000) if name == "data_log.ndc" else data,
    )
    with pytest.raises(IngestError, match="looks like a zip bomb"):
        ingest_file(bomb, tmp_path / "n.parquet")


def test_an_uploaded_ndax_is_ingested_as_neware_not_unpacked_as_an_archive(app, db):
    dataset = factories.make_dataset(db)
    with app.app_context(), open(cycler_file(NDAX), "rb") as stream:
        dataset_file = files.add_file(db, dataset, stream, "run.ndax", max_bytes=None)
    assert dataset_file.format == "neware_ndax"
    assert dataset_file.cycle_count == 150
    assert dataset_file.original_filename == "run.ndax"
    assert db.exec(select(DatasetFile)).one().id == dataset_file.id


def test_an_uploaded_workbook_that_is_not_btsda_gets_the_workbook_message(app, db):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheets><sheet name="Budget" sheetId="1"/></sheets></workbook>',
        )
    buffer.seek(0)
    dataset = factories.make_dataset(db)
    with app.app_context(), pytest.raises(ServiceError) as caught:
        files.add_file(db, dataset, buffer, "budget.xlsx", max_bytes=None)
    assert "not a Neware BTSDA export (sheets found: Budget)" in str(caught.value)
    assert "upload one cycler file per archive" not in str(caught.value)


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated(cycler_file(NDA).read_bytes()))
def test_mutated_nda_files_ingest_or_raise_ingest_error(data):
    ingests_or_refuses_clearly(data)


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated(cycler_file(NDAX).read_bytes()))
def test_mutated_ndax_files_ingest_or_raise_ingest_error(data):
    ingests_or_refuses_clearly(data)
