"""Arbin native .res files (Microsoft Access) read through mdbtools' mdb-export: detected by
content, per-cycle capacities as cellpy counts them, metadata, and clear refusals."""

import csv
import io
import shutil
import subprocess
import time
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings

from portal.datasets.ingest import IngestError, arbin_res, detect_format, ingest_file
from tests.cycler_data import cycler_file, ingests_or_refuses_clearly, mutated, needs_mdbtools

RES = "20210210_FC_01_cc_01.res"
pytestmark = needs_mdbtools


def reference_cycles() -> dict[int, tuple[float, float]]:
    """Independent reference: mdb-export's own CSV of Channel_Normal_Table, rows put in
    Data_Point order, and cellpy's arbin_res convention for a cycle's capacity: the last
    value of Arbin's Charge_Capacity / Discharge_Capacity in the cycle (Arbin restarts both
    at every new cycle, so the last value is the cycle's whole charge)."""
    text = subprocess.run(
        ["mdb-export", str(cycler_file(RES)), "Channel_Normal_Table"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = sorted(csv.DictReader(io.StringIO(text)), key=lambda row: int(row["Data_Point"]))
    last: dict[int, tuple[float, float]] = {}
    for row in rows:
        last[int(row["Cycle_Index"])] = (
            float(row["Charge_Capacity"]),
            float(row["Discharge_Capacity"]),
        )
    return last


def test_res_per_cycle_capacity_agrees_with_the_cellpy_convention(tmp_path):
    result = ingest_file(cycler_file(RES), tmp_path / "r.parquet")
    reference = reference_cycles()

    assert [c["cycle_index"] for c in result.cycles] == sorted(reference) == [1, 2, 3]
    for cycle in result.cycles:
        charge, discharge = reference[cycle["cycle_index"]]
        assert cycle["charge_capacity_ah"] == pytest.approx(charge, rel=5e-3, abs=1e-9)
        assert cycle["discharge_capacity_ah"] == pytest.approx(discharge, rel=5e-3, abs=1e-9)
    # Cycle 1 of this coin cell: 3.82 mAh in, 3.32 mAh out.
    assert result.cycles[0]["coulombic_efficiency"] == pytest.approx(0.8705, abs=1e-3)


def test_res_is_detected_by_content_under_any_name(tmp_path):
    disguised = tmp_path / "upload.csv"
    shutil.copyfile(cycler_file(RES), disguised)
    assert detect_format(disguised) == "arbin_res"
    assert ingest_file(disguised, tmp_path / "r.parquet").row_count == 7218


def test_res_metadata_comes_from_global_table(tmp_path):
    result = ingest_file(cycler_file(RES), tmp_path / "r.parquet")
    assert result.metadata == {
        "cycler": "Arbin (software 4.32 Build: 121212)",
        "channel": "32",
        "test_name": "20210210_batmar_FC_01_cc_01-01-032",
        "start_time": "2021-05-10T10:14:40",  # Start_DateTime 44326.4268... days after 1899-12-30
        "active_mass_g": pytest.approx(0.02264156),
    }


def test_a_cut_off_res_is_refused_as_truncated(tmp_path):
    cut = tmp_path / "cut.res"
    cut.write_bytes(cycler_file(RES).read_bytes()[:600_000])
    with pytest.raises(IngestError) as caught:
        ingest_file(cut, tmp_path / "r.parquet")
    assert caught.value.message == (
        "The Arbin .res database could not be read: it is damaged or truncated. "
        "(Its size is not a whole number of database pages: it was cut short.)"
    )


def test_a_res_cut_at_a_page_boundary_is_flagged_for_its_missing_records(tmp_path):
    cut = tmp_path / "cut.res"
    cut.write_bytes(cycler_file(RES).read_bytes()[: 4096 * 150])
    result = ingest_file(cut, tmp_path / "r.parquet")
    assert any("records are missing (gaps in Data_Point)" in flag for flag in result.flags)


def test_a_res_with_a_damaged_catalog_is_refused(tmp_path):
    data = bytearray(cycler_file(RES).read_bytes())
    data[8192 : 8192 * 3] = bytes(8192 * 2)  # the pages holding the table catalog
    broken = tmp_path / "broken.res"
    broken.write_bytes(bytes(data))
    with pytest.raises(IngestError) as caught:
        ingest_file(broken, tmp_path / "r.parquet")
    assert caught.value.message.startswith(
        "The Arbin .res database could not be read: it is damaged or truncated."
    )


def test_without_mdbtools_the_refusal_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(arbin_res.shutil, "which", lambda name: None)
    with pytest.raises(IngestError) as caught:
        ingest_file(cycler_file(RES), tmp_path / "r.parquet")
    assert "install the Debian package 'mdbtools'" in caught.value.message
    assert not (tmp_path / "r.parquet").exists()


def test_another_access_database_is_not_taken_for_arbin(tmp_path):
    data = bytearray(cycler_file(RES).read_bytes()[:65536])
    for name in (b"Channel_Normal_Table", b"Global_Table"):
        wide = name.decode().encode("utf-16-le")
        data = bytearray(bytes(data).replace(wide, b"X\x00" * len(name)))
    other = tmp_path / "other.mdb"
    other.write_bytes(bytes(data))
    with pytest.raises(IngestError, match=r"Microsoft Access database, but not an Arbin \.res"):
        detect_format(other)


def test_a_res_that_sends_mdb_export_into_a_loop_is_stopped_and_refused(tmp_path):
    # Found by the mutation test: these zeroed bytes (in a data page's row offsets) make
    # mdb-export print warnings for ever and no row; it is killed at the timeout.
    data = bytearray(cycler_file(RES).read_bytes())
    data[76514:76751] = bytes(76751 - 76514)
    looping = tmp_path / "looping.res"
    looping.write_bytes(bytes(data))
    started = time.monotonic()
    with (
        mock.patch.object(arbin_res, "TIMEOUT_BASE_S", 2),
        pytest.raises(IngestError) as caught,
    ):
        ingest_file(looping, tmp_path / "r.parquet")
    assert time.monotonic() - started < 10
    assert caught.value.message == (
        "The Arbin .res database could not be read: it is damaged or truncated. "
        "(Reading it took too long.)"
    )
    assert list(tmp_path.iterdir()) == [looping]


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated(cycler_file(RES).read_bytes()))
def test_mutated_res_files_ingest_or_raise_ingest_error(data):
    with mock.patch.object(arbin_res, "TIMEOUT_BASE_S", 3):  # a looping mdb-export costs 3 s
        ingests_or_refuses_clearly(data, ".res")
