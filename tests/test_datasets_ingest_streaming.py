"""Streaming ingest: the same numbers as the eager pipeline it replaced, in bounded passes."""

import json
from pathlib import Path

import polars as pl
import pytest

from portal.datasets.ingest import IngestError, ingest_file
from portal.datasets.ingest.detect import sniff
from portal.datasets.ingest.formats import format_named
from tests.cycler_data import needs_mdbtools
from tests.golden.make_golden import GOLDEN, result_of, sample_paths

EXPECTED = json.loads(GOLDEN.read_text())


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
def test_results_equal_the_eager_pipeline(
    name: str, samples: dict[str, Path], tmp_path: Path
) -> None:
    """Per-cycle numbers, flags, warnings, series and previews are exactly the recorded ones."""
    got = result_of(samples[name], tmp_path)
    expected = EXPECTED[name]
    assert got["cycles"] == expected["cycles"]
    assert got == expected


STREAMED = {
    "synthetic_arbin.csv": 560,
    "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv": 25162,
    "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv": 25162,
    "neware_uio.csv": 9065,
    "maccor_002.txt": 7447,  # one data line is blank: read, then dropped
    "ingest_gcpl.mpt": 25,
    "pec.csv": 16255,
}


@pytest.mark.parametrize(("name", "lines"), STREAMED.items())
def test_text_readers_return_a_lazy_plan(name: str, lines: int, samples: dict[str, Path]) -> None:
    """A text format read through the tabular reader is a plan, not a table in memory."""
    path = samples[name]
    sniffed = sniff(path)
    raw = format_named(sniffed.format).read(path, sniffed)
    assert isinstance(raw.frame, pl.LazyFrame)
    assert raw.expected_rows == lines


def test_scratch_files_are_removed(samples: dict[str, Path], tmp_path: Path) -> None:
    """Only the canonical Parquet is left next to the output, after success and failure."""
    out = tmp_path / "out" / "table.parquet"
    ingest_file(samples["bench_arbin.csv"], out)
    assert sorted(p.name for p in out.parent.iterdir()) == ["table.parquet"]
    broken = tmp_path / "broken.csv"
    broken.write_text(samples["synthetic_arbin.csv"].read_text().splitlines()[0] + "\n")
    with pytest.raises(IngestError, match="no data rows"):
        ingest_file(broken, tmp_path / "out" / "broken.parquet")
    assert sorted(p.name for p in out.parent.iterdir()) == ["table.parquet"]


def _records(times: list[float]) -> pl.DataFrame:
    """A canonical-looking table whose rows differ only by time and, in cycle 2, by voltage."""
    return pl.DataFrame(
        {
            "test_time_s": times,
            "cycle_index": [1] * 3 + [2] * (len(times) - 3),
            "step_index": [1] * len(times),
            "voltage_v": [3.0] * 3 + [3.5 + 0.1 * i for i in range(len(times) - 3)],
            "current_a": [1.0] * len(times),
        }
    )


@pytest.mark.parametrize(
    ("times", "cycles"),
    [
        ([0.0, 1.0, 1.0, 2.0, 3.0], [1]),  # time never goes back: neighbours only
        ([0.0, 1.0, 2.0, 2.0, 2.0], []),  # equal times, but different voltages
        ([1.0, 0.0, 1.0, 2.0, 3.0], [1]),  # time goes back: searched cycle by cycle
        ([0.0, None, None, 2.0, 3.0], [1]),  # missing times count as equal, as in polars
    ],
)
def test_duplicates_found_in_bounded_parts(times: list, cycles: list[int]) -> None:
    """The bounded duplicate search finds what a whole-table search finds."""
    from portal.datasets.ingest.plausibility import duplicate_records

    frame = _records(times)
    whole = frame.filter(pl.struct(frame.columns).is_duplicated())
    assert sorted(set(whole.get_column("cycle_index"))) == cycles
    warning = duplicate_records(frame.lazy())
    assert (warning.cycles if warning else []) == cycles
