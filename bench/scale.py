"""Benchmark: ingest of Arbin-style CSVs of about 0.1, 1 and 4 GB against polars' own
streaming ``scan_csv -> sink_parquet`` conversion of the same file.

Run ``.venv/bin/python bench/scale.py``. ``--format maccor``, ``pec``, ``pec-unsigned``,
``neware`` or ``neware-wallclock`` does the same with exports of about 0.1, 1 and 4 GB made by
repeating a real sample (``bench/cycler_gen.py``), whose readers add a prepare step (signing the
current, parsing clock times, splitting counters). Each measurement runs in a fresh subprocess
and its peak memory is that child's own ``ru_maxrss`` (from ``os.wait4``). Targets (issue 12): peak
RSS <= 1 GiB at every size, time <= 1.3x the polars conversion. Files go where
``bench/ingest.py`` puts them and are deleted afterwards; ``--plot`` writes the SVG figure.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.cycler_gen import (  # noqa: E402
    MACCOR,
    NEWARE,
    NEWARE_WALLCLOCK,
    PEC,
    PEC_UNSIGNED,
    Sample,
    generate_sample,
)
from bench.ingest import generate, out_dir  # noqa: E402
from bench.scale_plot import write_svg  # noqa: E402

# Rows for about 0.1, 1 and 4 GB (the generator writes about 122 bytes a row).
SIZES = (800_000, 8_000_000, 35_000_000)
# Each sample-based format: its sample and the rows for about 0.1, 1 and 4 GB.
SAMPLES: dict[str, tuple[Sample, tuple[int, ...]]] = {
    "maccor": (MACCOR, (500_000, 5_000_000, 20_000_000)),  # about 207 bytes a row
    "pec": (PEC, (600_000, 6_000_000, 24_000_000)),  # about 172
    "pec-unsigned": (PEC_UNSIGNED, (600_000, 6_000_000, 24_000_000)),
    "neware": (NEWARE, (500_000, 5_000_000, 20_000_000)),  # about 212
    "neware-wallclock": (NEWARE_WALLCLOCK, (500_000, 5_000_000, 20_000_000)),  # about 195
}
SAMPLE_MARK = ".sample-"  # in a generated file's name: which sample it repeats
MEMORY_TARGET_MIB = 1024
TIME_TARGET = 1.3
PLOT = ROOT / "docs" / "bench-scale.svg"


def _polars_scan(csv: Path):
    """polars' own reading of the file, as plain as the format allows."""
    import polars as pl

    name = csv.name.partition(SAMPLE_MARK)[2].partition(".")[0]
    if name in SAMPLES:  # a preamble, perhaps tabs, trailing separators and vendor bytes
        sample = SAMPLES[name][0]
        return pl.scan_csv(
            csv,
            separator=sample.separator.decode(),
            skip_rows=sample.header_row,
            encoding="utf8-lossy",
            truncate_ragged_lines=True,
            infer_schema_length=10_000,
        )
    return pl.scan_csv(csv)


def measure(kind: str, csv: Path, out: Path) -> dict:
    """Run one conversion in this process (the child) and return its time and result."""
    from portal.datasets.ingest import ingest_file

    started = time.perf_counter()  # imports are the same for both, and not timed
    extra: dict = {}
    if kind == "polars":
        _polars_scan(csv).sink_parquet(out, engine="streaming")
    else:
        result = ingest_file(csv, out)
        extra = {"rows": result.row_count, "cycles": len(result.cycles)}
    return {"seconds": time.perf_counter() - started, **extra}


def child(kind: str, csv: Path, out: Path) -> dict:
    """One measurement in a fresh subprocess: its time and its own peak RSS."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--measure", kind, str(csv), str(out)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{kind} on {csv.name} failed with exit code {process.returncode}")
    return {**json.loads(output.strip().splitlines()[-1]), "peak_rss_mib": usage.ru_maxrss / 1024}


def best(runs: list[dict]) -> dict:
    """The fastest run, with the highest peak memory of all runs."""
    fastest = dict(min(runs, key=lambda item: item["seconds"]))
    fastest["peak_rss_mib"] = max(item["peak_rss_mib"] for item in runs)
    return fastest


def bench_size(rows: int, repeats: int, keep: bool, layout: str = "arbin") -> dict:
    """Generate one file, measure both conversions interleaved, delete the files."""
    folder = out_dir()
    csv = folder / (
        f"scale_{rows}{SAMPLE_MARK}{layout}.csv" if layout in SAMPLES else f"scale_{rows}.csv"
    )
    outputs = [folder / f"scale_{rows}.polars.parquet", folder / f"scale_{rows}.portal.parquet"]
    try:
        if not csv.exists():
            print(f"generating {rows:,} rows ...", flush=True)
            if layout in SAMPLES:
                generate_sample(SAMPLES[layout][0], csv, rows)
            else:
                generate(csv, rows)
        pairs = [
            (child("polars", csv, outputs[0]), child("portal", csv, outputs[1]))
            for _ in range(repeats)
        ]
        return {
            "rows": rows,
            "size_mib": csv.stat().st_size / 2**20,
            "polars": best([a for a, _ in pairs]),
            "portal": best([b for _, b in pairs]),
        }
    finally:
        for path in outputs if keep else [csv, *outputs]:
            path.unlink(missing_ok=True)


def report(results: list[dict]) -> str:
    """The table printed and pasted into the README."""
    lines = [
        "| file | rows | polars scan_csv→sink_parquet | portal ingest_file | time ratio | "
        "peak RSS polars | peak RSS portal |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for item in results:
        polars, portal = item["polars"], item["portal"]
        lines.append(
            f"| {item['size_mib']:,.0f} MiB | {item['rows']:,} | {polars['seconds']:.2f} s | "
            f"{portal['seconds']:.2f} s | {portal['seconds'] / polars['seconds']:.2f}× | "
            f"{polars['peak_rss_mib']:,.0f} MiB | {portal['peak_rss_mib']:,.0f} MiB |"
        )
    worst_time = max(i["portal"]["seconds"] / i["polars"]["seconds"] for i in results)
    worst_memory = max(i["portal"]["peak_rss_mib"] for i in results)
    lines.append("")
    lines.append(
        f"targets: peak RSS <= {MEMORY_TARGET_MIB} MiB: "
        f"{'met' if worst_memory <= MEMORY_TARGET_MIB else 'MISSED'} (worst {worst_memory:,.0f} "
        f"MiB); time <= {TIME_TARGET}x: {'met' if worst_time <= TIME_TARGET else 'MISSED'} "
        f"(worst {worst_time:.2f}x)"
    )
    return "\n".join(lines)


def main() -> None:
    """Measure every size, print the table, write the results and the plot."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--measure", nargs=3, metavar=("KIND", "CSV", "OUT"))
    parser.add_argument("--format", choices=("arbin", *SAMPLES), default="arbin")
    parser.add_argument("--rows", type=int, nargs="+")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the generated CSVs")
    parser.add_argument("--plot", action="store_true", help=f"write {PLOT.relative_to(ROOT)}")
    args = parser.parse_args()
    if args.measure:
        kind, csv, out = args.measure
        print(json.dumps(measure(kind, Path(csv), Path(out))))
        return
    layout = args.format
    results = []
    for rows in args.rows or (SAMPLES[layout][1] if layout in SAMPLES else SIZES):
        results.append(bench_size(rows, args.repeats, args.keep, layout))
        print(report(results[-1:]).splitlines()[2], flush=True)
    print(report(results))
    suffix = "" if layout == "arbin" else f"_{layout}"
    (out_dir() / f"scale{suffix}.json").write_text(json.dumps(results, indent=1))
    if args.plot and layout == "arbin":
        write_svg(results, PLOT)
        print(f"wrote {PLOT}")


if __name__ == "__main__":
    main()
