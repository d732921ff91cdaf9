"""Record what the ingest pipeline gives for every sample, to prove a rewrite changes nothing.

Run ``.venv/bin/python tests/golden/make_golden.py`` (from the repository root) on the code
whose numbers are the reference; it rewrites ``ingest_results.json`` beside this file.
"""

import dataclasses
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.ingest import generate  # noqa: E402
from portal.datasets.ingest import ingest_file  # noqa: E402
from portal.datasets.ingest.conventions import FULL_CELL  # noqa: E402
from tests.cycler_data import CYCLER_DIR, FIXTURES, GENERATED, SAMPLES, write_arbin  # noqa: E402

GOLDEN = Path(__file__).with_name("ingest_results.json")


def sample_paths(scratch: Path) -> dict[str, Path]:
    """Every real sample that ingests, the generated fixtures and a synthetic Arbin file."""
    paths = {name: CYCLER_DIR / name for name, expected in SAMPLES.items() if expected}
    paths.update({name: FIXTURES / name for name in (*GENERATED, "ingest_gcpl.mpt")})
    paths["synthetic_arbin.csv"] = write_arbin(
        scratch / "synthetic_arbin.csv", [1.0, 0.99, 0.97, 0.9, 0.85, 0.79, 0.7], points=40
    )
    paths["bench_arbin.csv"] = scratch / "bench_arbin.csv"
    generate(paths["bench_arbin.csv"], rows=20_000)
    paths["odd_arbin.csv"] = odd_arbin(scratch / "odd_arbin.csv")
    return paths


def odd_arbin(path: Path) -> Path:
    """A synthetic Arbin file with the faults readers must survive: a stray quote, blank and
    non-finite cells, rows without a cycle number, time going backwards."""
    lines = write_arbin(path, [1.0, 0.98, 0.95, 0.93], points=30).read_text().splitlines()
    lines[-5] = lines[-5].replace(",-1.0,", ',"-1.0,', 1)
    lines[9] = ",".join(cell if i != 7 else "nan" for i, cell in enumerate(lines[9].split(",")))
    lines[12] = ",".join(cell if i != 8 else "inf" for i, cell in enumerate(lines[12].split(",")))
    lines[20] = ",".join(cell if i != 5 else "" for i, cell in enumerate(lines[20].split(",")))
    lines[1] = ",".join(cell if i != 5 else "" for i, cell in enumerate(lines[1].split(",")))
    lines[30] = ",,,,,,,,,,,"
    lines[40], lines[41] = lines[41], lines[40]
    path.write_text("\n".join(lines) + "\n")
    return path


def result_of(path: Path, scratch: Path) -> dict:
    """The ingest result of one file as plain JSON data."""
    result = ingest_file(path, scratch / f"{path.name}.parquet", convention=FULL_CELL)
    return json.loads(json.dumps(dataclasses.asdict(result)))


def main() -> None:
    """Write the results of every sample."""
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        results = {name: result_of(path, scratch) for name, path in sample_paths(scratch).items()}
    GOLDEN.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(results)} results to {GOLDEN}")


if __name__ == "__main__":
    main()
