"""Mutated cycler files (flipped bytes, lost or doubled lines, truncation, garbage cells) are
either ingested or refused with IngestError: never any other exception, never a partial file."""

import re
import tempfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.datasets.ingest import IngestError, ingest_file
from tests.cycler_data import FIXTURES, cycler_file

PREFIX_BYTES = 24_000  # the head of each file keeps the examples fast
SOURCES = [
    "neware_uio.csv",
    "maccor_002.txt",
    "PredictionDiagnostics_000151_test.052",
    "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv",
    "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv",
    "sample.bdf.csv",
    "FastCharge_000025_CH8.csv",
    "2017-05-09_test-TC-contact_CH33.csv",
    "biol.mpr",
    "ingest_gcpl.mpt",
]
GARBAGE = [b"nan", b"-inf", b"1e400", b"abc", b"", b"\xff\xfe", b"12:34:56", b'"', b"1,5", b"-"]
NUMBER = re.compile(rb"-?\d+\.\d+")


@cache
def original(name: str) -> bytes:
    path = FIXTURES / name if name.endswith(".mpt") else cycler_file(name)
    data = path.read_bytes()
    return data if name == "biol.mpr" else data[:PREFIX_BYTES]


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(original(draw(st.sampled_from(SOURCES))))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "delete", "duplicate", "truncate", "garbage"]))
        if not data:
            break
        if kind == "flip":
            at = draw(st.integers(0, len(data) - 1))
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "truncate":
            del data[draw(st.integers(0, len(data) - 1)) :]
        elif kind in ("delete", "duplicate"):
            lines = bytes(data).split(b"\n")
            at = draw(st.integers(0, len(lines) - 1))
            if kind == "delete":
                del lines[at]
            else:
                lines.insert(at, lines[at])
            data = bytearray(b"\n".join(lines))
        else:
            numbers = list(NUMBER.finditer(data[:PREFIX_BYTES]))
            if numbers:
                match = numbers[draw(st.integers(0, len(numbers) - 1))]
                data[match.start() : match.end()] = draw(st.sampled_from(GARBAGE))
    return bytes(data)


@settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_mutated_files_ingest_or_raise_ingest_error(data):
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "upload", Path(folder) / "out" / "table.parquet"
        source.write_bytes(data)
        try:
            result = ingest_file(source, out, max_plot_points=200)
        except IngestError as error:
            assert error.message and folder not in error.message
            assert not out.parent.exists() or list(out.parent.iterdir()) == []
        else:
            assert out.is_file() and result.row_count > 0
            assert [p.name for p in out.parent.iterdir()] == ["table.parquet"]


def test_a_file_cut_inside_a_quoted_last_cell_is_refused_not_a_crash(tmp_path):
    # Found by the test above: polars panics (a pyo3 PanicException, not an Exception) on a
    # CSV whose last line ends in an open quote with no newline, as an upload cut short can.
    source, out = tmp_path / "upload", tmp_path / "out" / "table.parquet"
    source.write_bytes(b'Test Time / s,Voltage / V,Current / A\n1,3.6,0.1\n1,3.6,0.1\n2,3.5,"')
    with pytest.raises(IngestError) as refused:
        ingest_file(source, out, max_plot_points=200)
    assert "could not be read" in refused.value.message
    assert not out.parent.exists() or list(out.parent.iterdir()) == []
