"""Benchmark: dataset plot and summary endpoints on a 1,000,000-row cycler file.

Run ``.venv/bin/python bench/datasets.py``. It builds a throw-away portal (SQLite under a temp
folder unless PORTAL_DATABASE_URL is set; files under $PORTAL_DATA_DIR/bench-datasets or a temp
folder; never the development database), ingests a 1,000,000-row Arbin-style CSV (the synthetic
sodium-ion generator: 3,449 cycles x 290 points) through the normal service, then times, through
the Flask test client, best of 20 calls each:

- capacity.json (capacity and retention per cycle, precomputed at ingest),
- voltage.json for the preview cycles (precomputed) and for three other cycles (read lazily from
  the Parquet with a cycle filter),
- the per-cycle summary API (one page of 200 cycles) and the detail page,

and, for scale, ``pyarrow.parquet.read_table`` of the columns a voltage plot needs.
QUALITY.md asks that plot endpoints answer in tens of milliseconds.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.timing import best_and_median_ms  # noqa: E402 (after the path is set)

ROWS_TARGET = 1_000_000
REPEATS = 20


def _timed(call) -> tuple[float, float]:
    return best_and_median_ms(call, REPEATS)


def main() -> None:
    import pyarrow.parquet as pq
    from sqlmodel import SQLModel

    import portal.models  # noqa: F401
    from portal import create_app
    from portal import db as portal_db
    from portal.datasets import files, services, synthetic
    from portal.datasets.models import DatasetFile

    scratch = Path(tempfile.mkdtemp(prefix="bench-datasets-"))
    data_dir = (
        Path(os.environ["PORTAL_DATA_DIR"]) / "bench-datasets"
        if os.environ.get("PORTAL_DATA_DIR")
        else scratch / "data"
    )
    database = os.environ.get("PORTAL_DATABASE_URL") or f"sqlite:///{scratch / 'bench.db'}"
    app = create_app(
        {
            "DATABASE_URL": database,
            "DATA_DIR": data_dir,
            "INSTANCE_DIR": scratch / "instance",
            "SECRET_KEY": "bench-" + "x" * 40,
        }
    )
    engine = app.extensions["db_engine"]
    SQLModel.metadata.create_all(engine)

    per_cycle = 290
    cycles = -(-ROWS_TARGET // per_cycle)
    csv_path = scratch / "na_ion_1m.csv"
    start = time.perf_counter()
    synthetic.write_csv(csv_path, cycles=cycles)
    generated_s = time.perf_counter() - start

    with app.app_context():
        session = portal_db.session()
        dataset = services.create_dataset(
            session, slug="bench-million", title="Bench: 1M rows", visibility="public"
        )
        start = time.perf_counter()
        with open(csv_path, "rb") as stream:
            added = files.add_file(session, dataset, stream, csv_path.name, max_bytes=None)
        session.commit()
        ingest_s = time.perf_counter() - start
        file_id = added.id
        parquet_path = data_dir / files.stored_key(added.parquet_name)  # the file:// layout
        row_count = session.get(DatasetFile, file_id).row_count

    client = app.test_client()
    base = f"/datasets/bench-million/files/{file_id}"
    others = ",".join(str(c) for c in (7, cycles // 3 + 1, cycles - 11))

    def get(url: str):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return call

    results = {
        "capacity.json": _timed(get(f"{base}/capacity.json")),
        "voltage.json (preview cycles)": _timed(get(f"{base}/voltage.json")),
        "voltage.json (3 other cycles, from Parquet)": _timed(
            get(f"{base}/voltage.json?cycles={others}")
        ),
        "dqdv.json (3 other cycles, from Parquet)": _timed(
            get(f"{base}/dqdv.json?cycles={others}")
        ),
        "API cycles, 200 per page": _timed(
            get(f"/api/v1/datasets/bench-million/files/{file_id}/cycles?per_page=200")
        ),
        "API cycles, page 10": _timed(
            get(f"/api/v1/datasets/bench-million/files/{file_id}/cycles?per_page=200&page=10")
        ),
        "dataset page (HTML)": _timed(get("/datasets/bench-million")),
        "pyarrow read_table (cycle, voltage, capacities)": _timed(
            lambda: pq.read_table(
                parquet_path,
                columns=["cycle_index", "voltage_v", "charge_capacity_ah", "discharge_capacity_ah"],
            )
        ),
    }
    size_mb = csv_path.stat().st_size / 2**20
    print(
        f"file: {row_count:,} rows, {cycles:,} cycles, CSV {size_mb:.0f} MB "
        f"(generated in {generated_s:.1f} s, ingested through the service in {ingest_s:.1f} s)"
    )
    print(f"database: {engine.dialect.name}; best and median of {REPEATS} calls")
    print(f"{'endpoint':52} {'best ms':>8} {'median ms':>10}")
    for name, (best, median) in results.items():
        print(f"{name:52} {best:8.1f} {median:10.1f}")
    engine.dispose()


if __name__ == "__main__":
    main()
