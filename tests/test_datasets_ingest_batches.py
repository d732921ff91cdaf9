"""Ingest batch by batch: any batch size gives the same table and results; a wrong guess about
the file (an empty counter column, rows before the first cycle number) is corrected."""

import json
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from bench.ingest import generate
from portal.datasets.ingest import ingest_file, pipeline
from portal.datasets.ingest.parquet_sink import ROW_GROUP_ROWS
from portal.datasets.ingest.tabular import _lines_and_encoding
from tests.cycler_data import needs_mdbtools, write_arbin
from tests.golden.make_golden import GOLDEN, result_of, sample_paths

EXPECTED = json.loads(GOLDEN.read_text())
WHOLE = 10**9  # one batch for any of these files


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every sample the golden results were recorded from."""
    return sample_paths(tmp_path_factory.mktemp("samples"))


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=[needs_mdbtools] if name.endswith(".res") else [])
        for name in EXPECTED
    ],
)
def test_small_batches_give_the_recorded_results(
    name: str, samples: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """97-row batches: every carried sum, shift and fill crosses many batch edges."""
    monkeypatch.setattr(pipeline, "BATCH_ROWS", 97)
    assert result_of(samples[name], tmp_path) == EXPECTED[name]


def _table(path: Path, out: Path, rows: int, monkeypatch: pytest.MonkeyPatch) -> pl.DataFrame:
    monkeypatch.setattr(pipeline, "BATCH_ROWS", rows)
    ingest_file(path, out)
    return pl.read_parquet(out)


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("odd_arbin.csv", 3),
        ("synthetic_arbin.csv", 13),
        ("ingest_gcpl.mpt", 2),
        ("maccor_002.txt", 389),
        ("neware_uio.csv", 389),
        ("TestFile.nda", 389),
    ],
)
def test_the_table_is_the_same_at_any_batch_size(
    name: str, rows: int, samples: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bit for bit: the running sums add the same numbers in the same order."""
    whole = _table(samples[name], tmp_path / "whole.parquet", WHOLE, monkeypatch)
    batched = _table(samples[name], tmp_path / "batched.parquet", rows, monkeypatch)
    assert batched.height == whole.height > 0
    assert_frame_equal(batched, whole, check_exact=True)


def _edit(path: Path, column: str, edit) -> Path:
    """Rewrite one column of a generated Arbin CSV cell by cell: ``edit(row number, text)``."""
    lines = path.read_text().splitlines()
    index = lines[0].split(",").index(column)
    out = [lines[0]]
    for number, line in enumerate(lines[1:]):
        cells = line.split(",")
        cells[index] = edit(number, cells[index])
        out.append(",".join(cells))
    path.write_text("\n".join(out) + "\n")
    return path


def _without(path: Path, column: str, out: Path) -> Path:
    lines = path.read_text().splitlines()
    index = lines[0].split(",").index(column)
    out.write_text(
        "\n".join(
            ",".join(c for i, c in enumerate(line.split(",")) if i != index) for line in lines
        )
        + "\n"
    )
    return out


def test_an_empty_counter_column_counts_as_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The header promises a charge capacity, the cells are empty: capacity is integrated, as
    for a file without the column, at any batch size (the pass reruns with the facts)."""
    monkeypatch.setattr(pipeline, "BATCH_ROWS", 17)
    source = write_arbin(tmp_path / "full.csv", [1.0, 0.98, 0.97], points=20)
    absent = _without(source, "Charge_Capacity(Ah)", tmp_path / "absent.csv")
    empty = _edit(source, "Charge_Capacity(Ah)", lambda _n, _cell: "")
    a = ingest_file(empty, tmp_path / "empty.parquet")
    b = ingest_file(absent, tmp_path / "absent.parquet")
    assert "No capacity columns: capacity was integrated from current and time." in a.flags
    assert a == b
    assert_frame_equal(
        pl.read_parquet(tmp_path / "empty.parquet"),
        pl.read_parquet(tmp_path / "absent.parquet"),
        check_exact=True,
    )
    assert a.cycles[0]["charge_capacity_ah"] == pytest.approx(1.0 / 0.98, rel=0.06)


@pytest.mark.parametrize("rows", [2, 5, WHOLE])
def test_rows_before_the_first_cycle_number_take_it(
    rows: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first batch may hold no cycle number at all: the pass reruns knowing the first one."""
    path = write_arbin(tmp_path / "lead.csv", [1.0, 0.98, 0.97], points=20)
    _edit(path, "Cycle_Index", lambda n, cell: "" if n < 4 else cell)
    table = _table(path, tmp_path / "lead.parquet", rows, monkeypatch)
    result = ingest_file(path, tmp_path / "again.parquet")
    assert table.get_column("cycle_index").head(45).to_list() == [1] * 40 + [2] * 5
    assert "4 rows had no cycle number and took the previous row's." in result.flags


def test_a_counter_logged_negative_late_is_made_positive_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Discharge logged as a negative count from the third cycle on: the first negative value
    may come in a late batch; the table is the one a single batch gives."""
    path = write_arbin(tmp_path / "neg.csv", [1.0, 0.98, 0.97, 0.96], points=20)
    _edit(path, "Discharge_Capacity(Ah)", lambda n, cell: f"-{cell}" if n >= 80 else cell)
    whole = _table(path, tmp_path / "whole.parquet", WHOLE, monkeypatch)
    batched = _table(path, tmp_path / "batched.parquet", 7, monkeypatch)
    assert_frame_equal(batched, whole, check_exact=True)
    result = ingest_file(path, tmp_path / "r.parquet")
    discharged = [row["discharge_capacity_ah"] for row in result.cycles]
    assert discharged == pytest.approx([1.0, 0.98, 0.97, 0.96], rel=1e-6)


def test_cycles_derived_by_current_direction_at_any_batch_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No cycle numbers in the file: the segment numbering carries across batches."""
    source = write_arbin(tmp_path / "full.csv", [1.0, 0.98, 0.97], points=20)
    path = _edit(source, "Cycle_Index", lambda _n, _cell: "")
    whole = _table(path, tmp_path / "whole.parquet", WHOLE, monkeypatch)
    batched = _table(path, tmp_path / "batched.parquet", 6, monkeypatch)
    assert_frame_equal(batched, whole, check_exact=True)
    assert whole.get_column("cycle_index").unique().sort().to_list() == [1, 2, 3]
    result = ingest_file(path, tmp_path / "r.parquet")
    assert any("cycles were numbered from 1 by current direction" in f for f in result.flags)


def test_the_table_has_64k_row_groups_with_cycle_statistics(tmp_path: Path) -> None:
    """Row groups of ROW_GROUP_ROWS whatever the batches, each with its cycle range, so a
    cycle filter skips the others."""
    path = tmp_path / "bench.csv"
    generate(path, rows=150_000)
    ingest_file(path, tmp_path / "t.parquet")
    metadata = pq.ParquetFile(tmp_path / "t.parquet").metadata
    sizes = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    assert sizes == [ROW_GROUP_ROWS, ROW_GROUP_ROWS, 150_000 - 2 * ROW_GROUP_ROWS]
    column = metadata.schema.names.index("cycle_index")
    ranges = [metadata.row_group(i).column(column).statistics for i in range(len(sizes))]
    assert all(stats is not None and stats.has_min_max for stats in ranges)
    assert [s.min for s in ranges] == sorted(s.min for s in ranges)
    assert ranges[0].max <= ranges[1].min


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (b"h\n" + b"1,2\n" * 1000, "utf8"),
        (b"h\n" + b"1,2\n" * 1000 + b"3,4", "utf8"),  # no final newline: still a line
        (b"h\n" + "1,2 \u00b0C\n".encode() * 1000, "utf8"),
        (b"h\n" + b"1,2\n" * 999 + b"1,\xb0C\n", "utf8-lossy"),  # a stray byte at the end
        (b"h\n", "utf8"),
    ],
)
def test_lines_are_counted_and_stray_bytes_read_lossily(
    data: bytes, encoding: str, tmp_path: Path
) -> None:
    """Data lines as the newlines after the header (plus an unterminated last line)."""
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    body = data.split(b"\n", 1)[1]
    expected = body.count(b"\n") + (bool(body) and not body.endswith(b"\n"))
    assert _lines_and_encoding(path, 1) == (expected, encoding)
