"""Cycler readers: every shared sample file is recognised from its content and ingested or
refused with a clear reason, into one canonical Parquet table."""

import shutil
import zipfile
from pathlib import Path

import polars as pl
import pytest

from portal.datasets.ingest import (
    SUPPORTED_FORMATS,
    IngestError,
    detect_format,
    ingest_file,
    voltage_curve,
)
from portal.datasets.ingest.canonical import SCHEMA
from tests.cycler_data import (
    CYCLER_DIR,
    FIXTURES,
    SAMPLES,
    cycler_file,
    needs_mdbtools,
    write_arbin,
)

INGESTED = [
    pytest.param(name, marks=needs_mdbtools) if expected[0] == "arbin_res" else name
    for name, expected in SAMPLES.items()
    if expected is not None
]


def test_shared_sample_folder_is_present():
    assert CYCLER_DIR.is_dir(), f"{CYCLER_DIR} is missing: the ingest tests need shared/ beside"
    for name in SAMPLES:
        cycler_file(name)


@pytest.mark.parametrize("name", INGESTED)
def test_each_sample_is_detected_and_ingested(name, tmp_path):
    fmt, rows, cycles = SAMPLES[name]
    out = tmp_path / "table.parquet"

    assert detect_format(cycler_file(name)) == fmt
    result = ingest_file(cycler_file(name), out)

    assert result.format == fmt and fmt in SUPPORTED_FORMATS
    assert result.row_count == rows
    assert len(result.cycles) == cycles
    table = pl.read_parquet(out)
    assert dict(table.schema) == SCHEMA
    assert table.height == rows
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.parquet"]  # no partial left


def test_format_comes_from_content_not_the_file_name(tmp_path):
    for name in ("neware_uio.csv", "maccor_002.txt", "biol.mpr"):
        disguised = tmp_path / "upload.dat"
        shutil.copyfile(cycler_file(name), disguised)
        assert detect_format(disguised) == SAMPLES[name][0]


def test_arbin_metadata_file_is_refused_with_its_reason(tmp_path):
    out = tmp_path / "t.parquet"
    with pytest.raises(IngestError) as caught:
        ingest_file(cycler_file("FastCharge_000025_CH8_Metadata.csv"), out)
    assert "metadata" in caught.value.message
    assert not out.exists()


def test_unrecognised_file_lists_its_columns_and_the_supported_formats(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("order_id,customer,amount\n1,ACME,10\n")
    with pytest.raises(IngestError) as caught:
        detect_format(path)
    message = caught.value.message
    assert "order_id, customer, amount" in message
    assert "Arbin CSV" in message and "Battery Data Format" in message
    assert str(tmp_path) not in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"", "empty"), (b"\x00\x01\x02binary\x00" * 50, "First line"), (b"just one line", "First")],
)
def test_empty_binary_and_single_line_files_are_refused(tmp_path, content, expected):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(IngestError, match=expected):
        ingest_file(path, tmp_path / "x.parquet")
    assert list(tmp_path.iterdir()) == [path]


def test_header_without_rows_is_refused_and_leaves_nothing(tmp_path):
    path = tmp_path / "arbin.csv"
    path.write_text("Test_Time(s),Cycle_Index,Current(A),Voltage(V),Charge_Capacity(Ah)\n")
    with pytest.raises(IngestError, match="no data rows"):
        ingest_file(path, tmp_path / "out" / "x.parquet")
    assert not any((tmp_path / "out").glob("*"))


def test_error_messages_carry_no_file_system_path(tmp_path):
    broken = tmp_path / "secret-folder" / "maccor.txt"
    broken.parent.mkdir()
    broken.write_bytes(cycler_file("maccor_002.txt").read_bytes()[:900] + b"\x00" * 10)
    for path in (broken, cycler_file("FastCharge_000025_CH8_Metadata.csv")):
        with pytest.raises(IngestError) as caught:
            ingest_file(path, tmp_path / "x.parquet")
        assert "/" not in caught.value.message.replace(" / ", "")
        assert "secret-folder" not in str(caught.value)


def test_maccor_current_takes_its_sign_from_the_mode_column(tmp_path):
    ingest_file(cycler_file("maccor_002.txt"), tmp_path / "m.parquet")
    raw = pl.read_csv(
        cycler_file("maccor_002.txt"),
        separator="\t",
        skip_lines=13,
        encoding="utf8-lossy",
        truncate_ragged_lines=True,
        infer_schema_length=0,
    ).drop_nulls("Md")
    table = pl.read_parquet(tmp_path / "m.parquet")
    modes = raw.get_column("Md").to_list()
    signs = table.get_column("current_a").sign().to_list()
    assert {m for m, s in zip(modes, signs, strict=True) if s < 0} == {"D"}
    assert {m for m, s in zip(modes, signs, strict=True) if s > 0} == {"C"}


def test_neware_clock_times_past_24_hours_become_seconds(tmp_path):
    ingest_file(cycler_file("neware_uio.csv"), tmp_path / "n.parquet")
    time = pl.read_parquet(tmp_path / "n.parquet").get_column("test_time_s")
    assert time.item(-1) == 144 * 3600 + 2 * 60 + 18
    assert time.diff().drop_nulls().min() >= 0


def test_step_resetting_counters_become_cumulative(tmp_path):
    for name in (
        "neware_uio.csv",
        "maccor_002.txt",
        "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv",
    ):
        ingest_file(cycler_file(name), tmp_path / "c.parquet")
        table = pl.read_parquet(tmp_path / "c.parquet")
        for column in ("charge_capacity_ah", "discharge_capacity_ah", "charge_energy_wh"):
            assert table.get_column(column).diff().drop_nulls().min() >= 0, (name, column)


def test_biologic_mpr_converts_milliamps_to_amps(tmp_path):
    result = ingest_file(cycler_file("biol.mpr"), tmp_path / "b.parquet")
    table = pl.read_parquet(tmp_path / "b.parquet")
    assert table.get_column("current_a").max() == pytest.approx(3.252074e-4, rel=1e-5)
    # galvani's (Q-Qo) reaches 4.9769 mA.h on this file: all of it charge.
    assert result.cycles[0]["charge_capacity_ah"] == pytest.approx(4.9768934e-3, rel=1e-6)
    assert any("cycle number" in flag for flag in result.flags)


@pytest.mark.parametrize("decimal_comma", [False, True])
def test_biologic_mpt_text_export(tmp_path, decimal_comma):
    path = tmp_path / "gcpl.mpt"
    raw = (FIXTURES / "ingest_gcpl.mpt").read_bytes()
    if decimal_comma:  # EC-Lab in a European locale writes 0,166667
        head, _, body = raw.partition(b"P/W\t\r\n")
        raw = head + b"P/W\t\r\n" + body.replace(b".", b",")
    path.write_bytes(raw)

    assert detect_format(path) == "biologic_mpt"
    result = ingest_file(path, tmp_path / "m.parquet")

    assert result.row_count == 25
    assert [c["cycle_index"] for c in result.cycles] == [1, 2]
    first = result.cycles[0]
    assert first["charge_capacity_ah"] == pytest.approx(1.0e-3, rel=1e-5)
    assert first["discharge_capacity_ah"] == pytest.approx(0.9e-3, rel=1e-5)
    assert first["coulombic_efficiency"] == pytest.approx(0.9, rel=1e-5)
    assert result.flags == []


def test_bdf_label_and_machine_headers_give_the_same_table(tmp_path):
    machine = cycler_file("SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv")
    labels = {
        "test_time_second": "Test Time / s",
        "voltage_volt": "Voltage / V",
        "current_ampere": "Current / mA",
        "step_index": "Step Index / 1",
        "discharging_capacity_ah": "Discharging Capacity / mAh",
        "charging_capacity_ah": "Charging Capacity / Ah",
        "ambient_temperature_celsius": "Ambient Temperature / degC",
    }
    frame = pl.read_csv(machine, infer_schema_length=None)
    frame = frame.with_columns(
        pl.col("current_ampere") * 1000, pl.col("discharging_capacity_ah") * 1000
    ).rename(labels)
    labelled = tmp_path / "labelled.bdf.csv"
    frame.write_csv(labelled)

    ingest_file(machine, tmp_path / "a.parquet")
    ingest_file(labelled, tmp_path / "b.parquet")

    a, b = pl.read_parquet(tmp_path / "a.parquet"), pl.read_parquet(tmp_path / "b.parquet")
    assert a.get_column("cycle_index").equals(b.get_column("cycle_index"))
    for column in ("test_time_s", "voltage_v", "current_a", "discharge_capacity_ah"):
        assert (a.get_column(column) - b.get_column(column)).abs().max() < 1e-12


def test_landt_csv_and_its_bdf_conversion_give_the_same_canonical_table(tmp_path):
    """Tolerance: identical cycles/steps and 1e-9 on time, V, I and capacities (the BDF file
    is a straight copy); energies within 3e-4 Wh (three steps of Landt's 1e-4 Wh print resolution), because the BDF file has no energy columns
    (integrated from V*I) while Landt prints energy in steps of 1e-4 Wh."""
    ingest_file(cycler_file("SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv"), tmp_path / "l.pq")
    ingest_file(
        cycler_file("SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv"), tmp_path / "b.pq"
    )
    landt, bdf = pl.read_parquet(tmp_path / "l.pq"), pl.read_parquet(tmp_path / "b.pq")

    assert landt.height == bdf.height
    for column in ("cycle_index", "step_index"):
        assert landt.get_column(column).equals(bdf.get_column(column)), column
    for column in (
        "test_time_s",
        "voltage_v",
        "current_a",
        "charge_capacity_ah",
        "discharge_capacity_ah",
        "temperature_c",
    ):
        assert (landt.get_column(column) - bdf.get_column(column)).abs().max() <= 1e-9, column
    for column in ("charge_energy_wh", "discharge_energy_wh"):
        assert (landt.get_column(column) - bdf.get_column(column)).abs().max() <= 3e-4, column


def test_battery_archive_timeseries(tmp_path):
    path = tmp_path / "cell_timeseries.csv"
    header = (
        "Date_Time,Test_Time (s),Cycle_Index,Current (A),Voltage (V),Charge_Capacity (Ah),"
        "Discharge_Capacity (Ah),Charge_Energy (Wh),Discharge_Energy (Wh),"
        "Environment_Temperature (C),Cell_Temperature (C)"
    )
    rows = [
        "2020-01-01 00:00:00,0,1,1.0,3.5,0.0,0.0,0.0,0.0,25,26",
        "2020-01-01 01:00:00,3600,1,1.0,4.1,1.0,0.0,3.8,0.0,25,27",
        "2020-01-01 02:00:00,7200,1,-1.0,3.2,1.0,0.9,3.8,3.2,25,26",
        "2020-01-01 02:00:01,7201,2,1.0,3.3,0.0,0.0,0.0,0.0,25,26",  # counters restart
        "2020-01-01 03:00:00,10800,2,1.0,4.1,0.95,0.0,3.6,0.0,25,27",
        "2020-01-01 04:00:00,14400,2,-1.0,3.2,0.95,0.85,3.6,3.0,25,26",
    ]
    path.write_text("\n".join([header, *rows]) + "\n")

    result = ingest_file(path, tmp_path / "ba.parquet")

    assert result.format == "batteryarchive_csv"
    first, second = result.cycles
    assert second["charge_capacity_ah"] == pytest.approx(0.95)
    assert second["discharge_capacity_ah"] == pytest.approx(0.85)
    assert first["coulombic_efficiency"] == pytest.approx(0.9)
    assert pl.read_parquet(tmp_path / "ba.parquet").get_column("temperature_c").max() == 27


def test_arbin_with_empty_cycle_column_is_numbered_and_flagged(tmp_path):
    result = ingest_file(cycler_file("2017-05-09_test-TC-contact_CH33.csv"), tmp_path / "a.pq")
    assert [c["cycle_index"] for c in result.cycles] == [1]
    assert any("Cycle_Index column is empty" in flag for flag in result.flags)
    assert result.cycles[0]["charge_capacity_ah"] == pytest.approx(0.60827, rel=1e-4)
    assert result.reference_capacity_ah is None  # nothing was discharged


def test_voltage_curve_reads_chosen_cycles_downsampled(tmp_path):
    out = tmp_path / "n.parquet"
    ingest_file(cycler_file("neware_uio.csv"), out)

    curves = voltage_curve(out, [2, 4, 99], max_points=50)

    assert set(curves) == {"2", "4"}
    for curve in curves.values():
        assert 2 < len(curve["voltage_v"]) == len(curve["capacity_ah"]) <= 52
        assert min(curve["capacity_ah"]) == 0.0
    assert voltage_curve(out, []) == {}


def test_voltage_preview_has_up_to_five_cycles(tmp_path):
    result = ingest_file(cycler_file("neware_uio.csv"), tmp_path / "n.parquet", max_plot_points=100)
    assert list(result.voltage_preview) == ["1", "2", "3", "4"]
    assert all(len(c["voltage_v"]) <= 22 for c in result.voltage_preview.values())


def test_ingest_replaces_an_existing_output_atomically(tmp_path):
    out = tmp_path / "t.parquet"
    out.write_bytes(b"old")
    with pytest.raises(IngestError):
        ingest_file(cycler_file("FastCharge_000025_CH8_Metadata.csv"), out)
    assert out.read_bytes() == b"old"
    ingest_file(cycler_file("sample.bdf.csv"), out)
    assert pl.read_parquet(out).height == 3
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


def test_paths_may_be_strings(tmp_path):
    result = ingest_file(str(cycler_file("sample.bdf.csv")), str(Path(tmp_path) / "s.parquet"))
    assert result.row_count == 3


def test_semicolon_files_with_decimal_commas(tmp_path):
    comma = tmp_path / "comma.csv"
    write_arbin(comma, [1.0, 0.9])
    text = comma.read_text()
    semicolon = tmp_path / "semicolon.csv"
    semicolon.write_text(text.replace(",", ";").replace(".", ","))

    expected = ingest_file(comma, tmp_path / "a.parquet").cycles
    result = ingest_file(semicolon, tmp_path / "b.parquet")

    assert result.flags == []
    assert [c["discharge_capacity_ah"] for c in result.cycles] == pytest.approx(
        [c["discharge_capacity_ah"] for c in expected]
    )


def test_neware_bts_export_in_milliamps_timed_by_its_realtime_clock(tmp_path):
    path = tmp_path / "bts.csv"
    header = (
        "Record ID,Cycle ID,Step ID,Step Type,Time(h:min:s.ms),Voltage(V),Current(mA),"
        "Capacitance_Chg(mAh),Capacitance_DChg(mAh),Engy_Chg(mWh),Engy_DChg(mWh),Realtime"
    )
    rows = [
        "1,1,1,CC_Chg,00:00:00.000,3.50,500,0,0,0,0,2023-03-01 10:00:00",
        "2,1,1,CC_Chg,01:00:00.000,4.10,500,500,0,1900,0,2023-03-01 11:00:00",
        "3,1,2,CC_DChg,00:00:00.000,4.00,-500,0,0,0,0,2023-03-01 11:00:01",
        "4,1,2,CC_DChg,00:54:00.000,3.00,-500,0,450,0,1600,2023-03-01 11:54:01",
        "5,2,1,CC_Chg,00:00:00.000,3.40,500,0,0,0,0,2023-03-01 11:54:02",
        "6,2,1,CC_Chg,00:57:00.000,4.10,500,475,0,1800,0,2023-03-01 12:51:02",
    ]
    path.write_text("\n".join([header, *rows]) + "\n")

    result = ingest_file(path, tmp_path / "bts.parquet")

    assert result.format == "neware_csv"
    first, second = result.cycles
    assert first["charge_capacity_ah"] == pytest.approx(0.5)
    assert first["discharge_capacity_ah"] == pytest.approx(0.45)
    assert first["discharge_energy_wh"] == pytest.approx(1.6)
    assert second["charge_capacity_ah"] == pytest.approx(0.475)
    table = pl.read_parquet(tmp_path / "bts.parquet")
    assert table.get_column("test_time_s").to_list() == [0, 3600, 3601, 6841, 6842, 10262]
    assert table.get_column("current_a").abs().max() == pytest.approx(0.5)


def test_voltage_curve_of_a_missing_table_raises_ingest_error(tmp_path):
    with pytest.raises(IngestError, match="stored table"):
        voltage_curve(tmp_path / "gone.parquet", [1])


def test_excel_workbooks_other_than_btsda_exports_are_refused_with_advice(tmp_path):
    path = tmp_path / "export.xlsx"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(IngestError, match="export the data sheet as CSV"):
        detect_format(path)


def test_every_format_is_registered_once_with_a_reader_and_a_way_to_be_recognised(tmp_path):
    from portal.datasets.ingest import FORMATS

    names = [cycler_format.name for cycler_format in FORMATS]
    assert len(set(names)) == len(names) and tuple(names) == SUPPORTED_FORMATS
    for cycler_format in FORMATS:
        assert callable(cycler_format.read) and cycler_format.label
        assert cycler_format.binary or cycler_format.preamble or cycler_format.header
    # The refusal names every registered format by its label, in registry order.
    junk = tmp_path / "junk.csv"
    junk.write_text("a,b\n1,2\n")
    with pytest.raises(IngestError) as caught:
        detect_format(junk)
    assert ", ".join(cycler_format.label for cycler_format in FORMATS) in caught.value.message


def test_the_ingest_package_imports_no_web_framework():
    import ast

    import portal.datasets.ingest as ingest

    for module in Path(ingest.__file__).parent.glob("*.py"):
        tree = ast.parse(module.read_text())
        imported = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        imported |= {
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        }
        assert not {name for name in imported if name.split(".")[0].startswith("flask")}, module
        assert not {name for name in imported if name.startswith("portal")}, module
