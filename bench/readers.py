"""Benchmark: the native-format readers against the bare reference readers, on the samples.

Run ``.venv/bin/pip install -e '.[bench]' && .venv/bin/python bench/readers.py``. Each row
runs in a fresh subprocess (so its peak resident memory is its own) that imports polars and
pyarrow first, as the portal does, then times REPEATS calls after one warm-up call; the
ratio is portal ingest (detect, read, normalise, summarise, write Parquet) over the bare
reader. It also prints fastnda and NewareNDA side by side for docs/notes/neware-readers.md.
Reads the samples from ../shared/data/cycler and tests/fixtures; writes only to a temp dir.
"""

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CYCLER = ROOT.parent / "shared" / "data" / "cycler"
FIXTURES = ROOT / "tests" / "fixtures"
REPEATS = 7

# (label, sample, bare reference reader)
ROWS = [
    (".nda", CYCLER / "TestFile.nda", "fastnda"),
    (".nda", CYCLER / "TestFile.nda", "newarenda"),
    (".ndax", CYCLER / "nw4-120-1-6-53.ndax", "fastnda"),
    (".ndax", CYCLER / "nw4-120-1-6-53.ndax", "newarenda"),
    (".res", CYCLER / "20210210_FC_01_cc_01.res", "mdb-export"),
    ("PEC csv", CYCLER / "pec.csv", "polars.read_csv"),
    ("BTSDA nested csv", FIXTURES / "btsda_nested.csv", "polars.read_csv"),
    ("BTSDA xlsx", FIXTURES / "btsda_export.xlsx", "polars.read_excel"),
]


def bare(reader: str, path: Path):
    """One call of the reference reader alone."""
    if reader == "fastnda":
        import fastnda

        return fastnda.read(path, cycle_mode="raw").height
    if reader == "newarenda":
        import NewareNDA

        return len(NewareNDA.read(str(path), software_cycle_number=False))
    if reader == "mdb-export":
        done = subprocess.run(
            ["mdb-export", str(path), "Channel_Normal_Table"], capture_output=True, check=True
        )
        return done.stdout.count(b"\n") - 1
    import polars as pl

    if reader == "polars.read_excel":
        return pl.read_excel(path, sheet_name="Record", engine="calamine").height
    skip = 32 if path.name == "pec.csv" else 2
    return pl.read_csv(path, skip_rows=skip, infer_schema=False, truncate_ragged_lines=True).height


def measure(kind: str, reader: str, path: Path) -> dict:
    """Time REPEATS calls (after a warm-up) of the bare reader or of portal ingest."""
    import polars  # noqa: F401  (the portal's own imports, outside the measurement)
    import pyarrow  # noqa: F401

    warnings.simplefilter("ignore")
    if kind == "ingest":
        from portal.datasets.ingest import ingest_file

        folder = tempfile.mkdtemp()

        def call():
            return ingest_file(path, Path(folder) / "t.parquet").row_count
    else:

        def call():
            return bare(reader, path)

    started = time.perf_counter()
    rows = call()
    first = time.perf_counter() - started
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return {
        "rows": rows,
        "first_s": first,
        "best_s": min(times),
        "median_s": statistics.median(times),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "baseline_rss_mb": baseline / 1024,
    }


def once(kind: str, reader: str, path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", kind, reader, str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], sys.argv[3], Path(sys.argv[4]))))
        return
    print(f"best / median of {REPEATS} warm calls, peak RSS of the whole process")
    header = f"{'sample':<17} {'reader':<17} {'rows':>6} {'bare ms':>9} {'ingest ms':>10}"
    print(header + f" {'ratio':>6} {'bare MiB':>9} {'ingest MiB':>11}")
    ingested: dict[Path, dict] = {}
    for label, path, reader in ROWS:
        reference = once("bare", reader, path)
        if path not in ingested:
            ingested[path] = once("ingest", reader, path)
        ingest = ingested[path]
        print(
            f"{label:<17} {reader:<17} {reference['rows']:>6} "
            f"{reference['best_s'] * 1e3:>5.1f}/{reference['median_s'] * 1e3:<4.0f}"
            f"{ingest['best_s'] * 1e3:>6.1f}/{ingest['median_s'] * 1e3:<4.0f}"
            f"{ingest['best_s'] / reference['best_s']:>6.2f}x "
            f"{reference['peak_rss_mb']:>8.0f} {ingest['peak_rss_mb']:>11.0f}"
        )
    print("first call (cold, includes the library's own lazy imports):")
    for label, path, reader in ROWS:
        if reader in ("fastnda", "newarenda"):
            item = once("bare", reader, path)
            print(f"  {label:<6} {reader:<10} {item['first_s'] * 1e3:7.1f} ms")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
