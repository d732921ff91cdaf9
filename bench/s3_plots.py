"""Benchmark: plots and exports that read a 1,000,000-row table by path, on s3:// storage,
with and without this node's kept copies (PORTAL_STORAGE_CACHE_MB).

Run ``.venv/bin/python bench/s3_plots.py``. It starts moto's S3 server on 127.0.0.1 (a real HTTP
endpoint, as the tests use), builds a throw-away portal on it (SQLite under a temp folder),
ingests the synthetic 1,000,000-row sodium-ion CSV once, then times through the Flask test
client, best and median of 10 calls each, the endpoints that need the Parquet as a file:
voltage.json and dqdv.json for three cycles outside the stored preview, and the BDF metadata.
The same database and bucket are read by two apps in this process: one that downloads the table
for every request (PORTAL_STORAGE_CACHE_MB=0, the behaviour before) and one that keeps a copy.
It prints both and their ratio.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.timing import best_and_median_ms  # noqa: E402 (after the path is set)
from tests.s3server import ACCESS_KEY, REGION, SECRET_KEY, moto_server  # noqa: E402

ROWS_TARGET = 1_000_000
REPEATS = 10


def _timed(call) -> tuple[float, float]:
    return best_and_median_ms(call, REPEATS)


def main() -> None:
    from sqlmodel import SQLModel

    import portal.models  # noqa: F401
    from portal import create_app
    from portal import db as portal_db
    from portal.datasets import files, services, synthetic

    with moto_server() as endpoint:
        bucket = f"bench-{secrets.token_hex(4)}"
        endpoint.client().create_bucket(Bucket=bucket)
        scratch = Path(tempfile.mkdtemp(prefix="bench-s3-"))
        settings = {
            "DATABASE_URL": f"sqlite:///{scratch / 'bench.db'}",
            "DATA_DIR": scratch / "data",
            "INSTANCE_DIR": scratch / "instance",
            "SECRET_KEY": "bench-" + "x" * 40,
            "STORAGE_URL": f"s3://{bucket}/files",
            "S3_ENDPOINT_URL": endpoint.url,
            "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }
        downloading = create_app({**settings, "STORAGE_CACHE_MB": 0})
        keeping = create_app({**settings, "STORAGE_CACHE_DIR": scratch / "copies"})
        SQLModel.metadata.create_all(downloading.extensions["db_engine"])

        per_cycle = 290
        cycles = -(-ROWS_TARGET // per_cycle)
        csv_path = scratch / "na_ion_1m.csv"
        synthetic.write_csv(csv_path, cycles=cycles)
        with downloading.app_context():
            session = portal_db.session()
            dataset = services.create_dataset(
                session, slug="bench-s3", title="Bench: 1M rows on S3", visibility="public"
            )
            with open(csv_path, "rb") as stream:
                added = files.add_file(session, dataset, stream, csv_path.name, max_bytes=None)
            session.commit()
            file_id, parquet_name = added.id, added.parquet_name
        table_mb = (
            endpoint.client().head_object(Bucket=bucket, Key=f"files/datasets/{parquet_name}")[
                "ContentLength"
            ]
            / 2**20
        )

        base = f"/datasets/bench-s3/files/{file_id}"
        others = ",".join(str(c) for c in (7, cycles // 3 + 1, cycles - 11))
        urls = {
            "voltage.json (3 cycles outside the preview)": f"{base}/voltage.json?cycles={others}",
            "dqdv.json (3 cycles)": f"{base}/dqdv.json?cycles={others}",
            "BDF metadata": f"{base}/download/bdf-metadata",
        }

        def timings(app) -> dict[str, tuple[float, float]]:
            client = app.test_client()

            def get(url: str):
                def call():
                    response = client.get(url)
                    assert response.status_code == 200, (url, response.status_code)

                return call

            return {name: _timed(get(url)) for name, url in urls.items()}

        before = timings(downloading)
        after = timings(keeping)
        print(f"table: {table_mb:.1f} MB of Parquet in moto's S3 on loopback; {REPEATS} calls each")
        print(f"{'endpoint':46} {'download ms':>12} {'kept ms':>9} {'ratio':>7}")
        for name in urls:
            (_, slow), (_, fast) = before[name], after[name]
            print(f"{name:46} {slow:12.1f} {fast:9.1f} {slow / fast:6.1f}x")
        print("(medians; the kept copy's first call downloads it once)")


if __name__ == "__main__":
    main()
