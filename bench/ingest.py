"""Benchmark: ingest of a 1,000,000-row Arbin-style CSV against pyarrow's plain CSV read.

Run ``.venv/bin/python bench/ingest.py``. Each measurement runs in a fresh subprocess so its
peak resident memory (``ru_maxrss``) is its own; times are best of three. Targets from
QUALITY.md: ingest <= 2x the pyarrow read, peak memory < 4x the file size. Files go to
``$PORTAL_DATA_DIR/bench`` when that is set, else to ``bench/out/`` (git-ignored).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROWS = 1_000_000
ROWS_PER_CYCLE = 2_000  # 500 cycles
REPEATS = 5  # this runs on shared 2-core machines: best of several, interleaved
ROOT = Path(__file__).resolve().parents[1]


def out_dir() -> Path:
    """Where the generated CSV and Parquet live."""
    base = os.environ.get("PORTAL_DATA_DIR")
    folder = Path(base) / "bench" if base else ROOT / "bench" / "out"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


GENERATE_CHUNK_ROWS = 1_000_000  # generation itself stays within a few hundred MiB


def generate(path: Path, rows: int = ROWS) -> None:
    """Write a deterministic Arbin-style CSV: CC charge, rest, CC discharge, rest per cycle.

    Written a million rows at a time, so a file of any size is generated in bounded memory.
    """
    with open(path, "wb") as handle:
        for number, start in enumerate(range(0, rows, GENERATE_CHUNK_ROWS)):
            chunk = _chunk(start, min(start + GENERATE_CHUNK_ROWS, rows), number)
            chunk.write_csv(
                handle, include_header=number == 0, datetime_format="%Y-%m-%d %H:%M:%S%.3f"
            )


def _chunk(first: int, stop: int, number: int) -> Any:
    """Rows ``first`` to ``stop`` of the generated file (noise seeded per chunk)."""
    import numpy as np
    import polars as pl

    i = np.arange(first, stop)
    rows = len(i)
    cycle = i // ROWS_PER_CYCLE + 1
    pos = i % ROWS_PER_CYCLE
    quarter = ROWS_PER_CYCLE // 4
    step = np.select(
        [pos < 2 * quarter - 100, pos < 2 * quarter, pos < 4 * quarter - 100], [1, 2, 3], 4
    )
    dt = 10.0
    fade = 1.0 - 0.0005 * (cycle - 1)  # 80 % after ~400 cycles
    current = np.select([step == 1, step == 3], [1.0, -1.0 * fade], 0.0)
    charge_rows = np.clip(pos + 1, 0, 2 * quarter - 100)
    discharge_rows = np.clip(pos - 2 * quarter + 1, 0, 2 * quarter - 100)
    charge_ah = charge_rows * dt / 3600.0
    discharge_ah = discharge_rows * dt * fade / 3600.0
    rng = np.random.default_rng(42 if number == 0 else [42, number])
    frac_c = charge_rows / (2 * quarter - 100)
    frac_d = discharge_rows / (2 * quarter - 100)
    voltage = np.where(step <= 2, 3.0 + 1.2 * frac_c, 4.2 - 1.2 * frac_d)
    voltage = voltage + rng.normal(0.0, 0.0005, rows)
    start = 1_494_645_243.0
    test_time = i * dt + 0.0024
    return pl.DataFrame(
        {
            "Data_Point": i,
            "Test_Time(s)": test_time,
            "Date_Time": pl.Series((start + test_time) * 1e6).cast(pl.Datetime("us")),
            "Step_Time(s)": (pos % quarter) * dt,
            "Step_Index": step,
            "Cycle_Index": cycle,
            "Current(A)": current,
            "Voltage(V)": voltage.round(6),
            "Charge_Capacity(Ah)": charge_ah.round(8),
            "Discharge_Capacity(Ah)": discharge_ah.round(8),
            "Charge_Energy(Wh)": (charge_ah * 3.6).round(8),
            "Discharge_Energy(Wh)": (discharge_ah * 3.55).round(8),
            "dV/dt(V/s)": rng.normal(0.0, 1e-5, rows).round(9),
            "Internal_Resistance(Ohm)": np.full(rows, 0.021),
            "Temperature (C)": (25.0 + rng.normal(0.0, 0.1, rows)).round(3),
        }
    )


def measure(kind: str, csv: Path, parquet: Path) -> dict:
    """Run one measurement in this process and return its time and peak memory."""
    if kind == "pyarrow":
        import pyarrow.csv
    else:
        from portal.datasets.ingest import ingest_file, voltage_curve

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu = time.process_time()
    started = time.perf_counter()
    extra: dict = {}
    if kind == "pyarrow":
        table = pyarrow.csv.read_csv(csv)
        extra["rows"] = table.num_rows
    elif kind == "ingest":
        result = ingest_file(csv, parquet)
        extra = {
            "rows": result.row_count,
            "cycles": len(result.cycles),
            "eol": result.cycles_to_80_soh,
        }
    elif kind == "voltage_curve":
        curves = voltage_curve(parquet, [1, 250, 500], max_points=1000)
        extra["points"] = sum(len(curve["voltage_v"]) for curve in curves.values())
    elif kind == "summary_json":
        result_path = parquet.with_suffix(".summary.json")
        extra["cycles"] = len(json.loads(result_path.read_text())["cycles"])
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": elapsed,
        "cpu_seconds": time.process_time() - cpu,
        "peak_rss_mb": peak / 1024,
        "baseline_rss_mb": baseline / 1024,
        **extra,
    }


def once(kind: str, csv: Path, parquet: Path) -> dict:
    """One measurement in a fresh subprocess."""
    done = subprocess.run(
        [sys.executable, __file__, "--measure", kind, str(csv), str(parquet)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def best(runs: list[dict]) -> dict:
    """Fastest run, with the median time and the highest peak memory of all runs."""
    fastest = dict(min(runs, key=lambda item: item["seconds"]))
    fastest["median"] = statistics.median(item["seconds"] for item in runs)
    fastest["peak_rss_mb"] = max(item["peak_rss_mb"] for item in runs)
    return fastest


def run(kind: str, csv: Path, parquet: Path) -> dict:
    """Best of REPEATS fresh subprocesses."""
    return best([once(kind, csv, parquet) for _ in range(REPEATS)])


def main() -> None:
    """Generate the file if needed, then measure and print the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--measure", nargs=3, metavar=("KIND", "CSV", "PARQUET"))
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args()
    if args.measure:
        kind, csv, parquet = args.measure
        print(json.dumps(measure(kind, Path(csv), Path(parquet))))
        return

    folder = out_dir()
    csv = folder / f"arbin_{args.rows}.csv"
    parquet = folder / f"arbin_{args.rows}.parquet"
    if not csv.exists():
        print(f"generating {csv.name} ...", flush=True)
        generate(csv, args.rows)
    size_mb = csv.stat().st_size / 2**20
    print(f"file: {args.rows:,} rows, {size_mb:.1f} MiB")

    # Interleaved, so both see the same background load.
    pairs = [(once("pyarrow", csv, parquet), once("ingest", csv, parquet)) for _ in range(REPEATS)]
    arrow, ingest = best([a for a, _ in pairs]), best([i for _, i in pairs])
    _write_summary(csv, parquet)
    curve = run("voltage_curve", csv, parquet)
    summary = run("summary_json", csv, parquet)

    ratio = ingest["seconds"] / arrow["seconds"]
    memory = ingest["peak_rss_mb"] / size_mb
    own = (ingest["peak_rss_mb"] - ingest["baseline_rss_mb"]) / size_mb
    for label, item in (("pyarrow.csv.read_csv", arrow), ("ingest_file", ingest)):
        print(
            f"{label:<21}: best {item['seconds']:.3f} s, median {item['median']:.3f} s, "
            f"CPU {item['cpu_seconds']:.2f} s, peak RSS {item['peak_rss_mb']:.0f} MiB"
        )
    print(f"  ({ingest['cycles']} cycles, 80 % SOH reached at cycle {ingest['eol']})")
    print(
        f"ratio ingest/pyarrow : {ratio:.2f}x best, "
        f"{ingest['median'] / arrow['median']:.2f}x median   (target <= 2x)"
    )
    print(
        f"peak memory / file   : {memory:.2f}x whole process, {own:.2f}x above the "
        "interpreter and imports   (target < 4x)"
    )
    print(f"voltage_curve 3 cyc  : {curve['seconds'] * 1000:.1f} ms  ({curve['points']} points)")
    print(
        f"summary JSON read    : {summary['seconds'] * 1000:.1f} ms  ({summary['cycles']} cycles)"
    )


def _write_summary(csv: Path, parquet: Path) -> None:
    """Store the per-cycle summary as the app would, so reading it back can be timed."""
    from dataclasses import asdict

    from portal.datasets.ingest import ingest_file

    result = ingest_file(csv, parquet)
    parquet.with_suffix(".summary.json").write_text(json.dumps(asdict(result)))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
