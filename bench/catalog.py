"""Catalog benchmark: 10,000 technologies, the portal under gunicorn (2 workers) beside Datasette.

Generates the rows into a throwaway database (PORTAL_DATABASE_URL, default SQLite in a temp dir;
PORTAL_DATA_DIR honoured; instance/ never touched), serves the portal with gunicorn on 127.0.0.1
and measures `/technologies?chemistry=na_ion` and `/api/v1/technologies?chemistry=na_ion` with
`wrk -t2 -c16 -d10s --latency`; then serves a SQLite file with the same rows in Datasette and
measures the same filter with the same facets. Prints requests/s, p95 and the ratio.

The portal runs twice in one go: with the response cache off (every request renders) and on
(Redis DB 5 by default, flushed first; `--redis none` for each worker's simple cache), so the
cached figure stands beside today's.

Usage: .venv/bin/python bench/catalog.py [--rows 10000] [--duration 10] [--portal-only]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

import portal.models  # noqa: E402, F401  (every table, and the search DDL events)
from portal.catalog.models import Technology, applications_mask  # noqa: E402
from portal.db import make_engine  # noqa: E402

BIN = Path(sys.executable).parent
WRK_SCRIPT = ROOT / "bench" / "wrk_report.lua"
REDIS_URL = "redis://127.0.0.1:6379/5"
PORTAL_TARGETS = (
    ("portal page", "/technologies?chemistry=na_ion"),
    ("portal API", "/api/v1/technologies?chemistry=na_ion"),
)
CHEMISTRIES = ["na_ion", "li_ion", "li_polymer", "other"]
CATEGORIES = ["cell", "materials", "process", "equipment", "bms", "recycling", "testing"]
APPLICATIONS = ["ev", "mobile", "electronics", "stationary"]
LICENSING = ["available", "licensed", "not_available"]
WORDS = [
    "sodium",
    "ion",
    "lithium",
    "polymer",
    "cell",
    "cathode",
    "anode",
    "hard",
    "carbon",
    "layered",
    "oxide",
    "electrolyte",
    "separator",
    "coating",
    "calendering",
    "formation",
    "grading",
    "pouch",
    "prismatic",
    "cylindrical",
    "module",
    "pack",
    "thermal",
    "safety",
    "recycling",
    "leaching",
    "binder",
    "slurry",
    "drying",
    "winding",
    "stacking",
    "welding",
    "tester",
    "cycler",
    "impedance",
    "balancing",
    "firmware",
    "indigenous",
    "pilot",
    "line",
    "machine",
    "process",
    "material",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def generate(rows: int, seed: int = 7) -> list[dict]:
    """Deterministic technologies with realistic text lengths."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    technologies = []
    for number in range(1, rows + 1):
        words = rng.sample(WORDS, 6)
        description = " ".join(rng.choice(WORDS) for _ in range(rng.randint(120, 260)))
        technologies.append(
            {
                "id": number,
                "is_published": rng.random() < 0.95,
                "is_archived": rng.random() < 0.02,
                "chemistry": rng.choices(CHEMISTRIES, weights=[3, 4, 2, 1])[0],
                "category": rng.choice(CATEGORIES),
                "licensing_status": rng.choice(LICENSING),
                "trl": rng.randint(1, 9),
                "slug": f"technology-{number}",
                "title": " ".join(words[:4]).capitalize() + f" {number}",
                "summary": " ".join(rng.choice(WORDS) for _ in range(25)),
                "ip_status": rng.choice(["Patent filed", "Patent granted", "Know-how", ""]),
                "patent_refs": f"IN {202300000000 + number}",
                "specific_energy_wh_per_kg": round(rng.uniform(90, 280), 1),
                "energy_density_wh_per_l": round(rng.uniform(200, 700), 1),
                "cycle_life": rng.randint(500, 8000),
                "max_c_rate": round(rng.uniform(0.5, 10), 1),
                "nominal_voltage_v": round(rng.uniform(2.8, 3.9), 2),
                "capacity_ah": round(rng.uniform(0.5, 100), 1),
                "cost_inr_per_kwh": rng.randint(6000, 20000),
                "throughput_units_per_hour": None,
                "indigenous_content_pct": round(rng.uniform(30, 100), 1),
                "contact_name": "Technology Transfer Cell",
                "contact_email": "techtransfer@coe-battery.example",
                "is_demo": True,
                "version": 1,
                "created_at": now - timedelta(hours=number),
                "updated_at": now - timedelta(hours=number),
                "published_at": now - timedelta(hours=number),
                "problem": " ".join(rng.choice(WORDS) for _ in range(40)),
                "advantage": " ".join(rng.choice(WORDS) for _ in range(40)),
                "applications_text": " ".join(rng.choice(WORDS) for _ in range(20)),
                "description": description,
            }
        )
        technologies[-1]["applications_mask"] = applications_mask(
            rng.sample(APPLICATIONS, rng.randint(1, 3))
        )
    return technologies


def load(url: str, technologies: list[dict]) -> None:
    """Create the schema (with the search index) and insert the rows; then gather statistics."""
    engine = make_engine(url)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    with engine.begin() as connection:
        for start in range(0, len(technologies), 1000):
            connection.execute(insert(Technology.__table__), technologies[start : start + 1000])
        if engine.dialect.name == "postgresql":
            connection.execute(
                text("SELECT setval('technology_id_seq', (SELECT max(id) FROM technology))")
            )
    # Statistics for the planner; on PostgreSQL VACUUM also sets the visibility map, without
    # which facet counts cannot be index-only scans (autovacuum does this in production).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("VACUUM ANALYZE"))
        else:
            connection.execute(text("ANALYZE"))
    engine.dispose()


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # loopback only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer at {url}")


@contextmanager
def serve(command: list[str], env: dict, health_url: str):
    process = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if "datasette" in command[0] else None,
    )
    try:
        wait_until_up(health_url)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def wrk(url: str, duration: int) -> dict:
    """Run wrk (2 threads, 16 connections) and return requests/s, p95 and errors."""
    # Warm up with a few sequential requests: a concurrent warm-up would leave a slow server
    # (Datasette takes seconds per faceted page) still busy when the measured run starts.
    for _ in range(3):
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c16",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            "30s",
            "-s",
            str(WRK_SCRIPT),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    values = dict(re.findall(r"(\w+)=([0-9.]+)", line))
    return {key: float(value) for key, value in values.items()}


def check_same_rows(portal_base: str, datasette_base: str) -> tuple[int, int]:
    """The totals both servers report for chemistry=na_ion (published, not archived)."""
    import json

    with urllib.request.urlopen(f"{portal_base}/api/v1/technologies?chemistry=na_ion") as r:
        portal_total = json.load(r)["total"]
    query = (
        f"{datasette_base}/db/technology.json?chemistry=na_ion&is_published=1&is_archived=0"
        "&_size=1&_shape=objects"
    )
    with urllib.request.urlopen(query) as r:
        datasette_total = json.load(r)["filtered_table_rows_count"]
    return portal_total, datasette_total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument(
        "--portal-only", action="store_true", help="skip Datasette (uncached vs cached only)"
    )
    parser.add_argument(
        "--redis",
        default=os.environ.get("PORTAL_CACHE_REDIS_URL", REDIS_URL),
        help="the response cache's Redis (flushed first); 'none' for each worker's simple cache",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    if not args.portal_only and not (BIN / "datasette").exists():
        raise SystemExit("datasette is missing: .venv/bin/pip install -e '.[bench]'")

    work = Path(tempfile.mkdtemp(prefix="bench-catalog-"))
    data_dir = Path(os.environ.get("PORTAL_DATA_DIR", work / "data"))
    url = os.environ.get("PORTAL_DATABASE_URL", f"sqlite:///{work / 'portal.db'}")
    if "/instance/" in url:
        raise SystemExit("refusing to benchmark against a database under instance/")
    datasette_file = work / "db.db"
    try:
        print(f"generating {args.rows} technologies ...", flush=True)
        technologies = generate(args.rows)
        load(url, technologies)
        # Datasette gets a SQLite file with the same rows (and the same indexes).
        load(f"sqlite:///{datasette_file}", technologies)

        env = {
            **os.environ,
            "PORTAL_DATABASE_URL": url,
            "PORTAL_DATA_DIR": str(data_dir),
            "PORTAL_INSTANCE_DIR": str(work),
            "PORTAL_ENV": "production",
            "PORTAL_SECRET_KEY": "bench-" + os.urandom(24).hex(),
            "PORTAL_SMTP_URL": "",
        }
        portal_port, datasette_port = free_port(), free_port()
        portal_base = f"http://127.0.0.1:{portal_port}"
        datasette_base = f"http://127.0.0.1:{datasette_port}"
        env["PORTAL_BASE_URL"] = portal_base  # production mode requires its public address
        results = {}
        gunicorn = [
            str(BIN / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{portal_port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ]
        datasette = [
            str(BIN / "datasette"),
            "serve",
            str(datasette_file),
            "--host",
            "127.0.0.1",
            "--port",
            str(datasette_port),
            # Suggesting extra facets costs a query per column on every page; the portal does
            # no such thing, so the fair comparison turns it off.
            "--setting",
            "suggest_facets",
            "off",
        ]
        # Today's figure (response cache off: every request runs the SQL and the template),
        # then the same server with the response cache on (anonymous, cookie-less wrk requests
        # are the cacheable kind; see portal/caching.py).
        uncached = {**env, "PORTAL_RESPONSE_CACHE": "off"}
        with serve(gunicorn, uncached, f"{portal_base}/healthz"):
            if not args.portal_only:
                with serve(datasette, env, f"{datasette_base}/-/versions.json"):
                    totals = check_same_rows(portal_base, datasette_base)
                print(f"rows with chemistry=na_ion: portal {totals[0]}, datasette {totals[1]}")
            for name, path in PORTAL_TARGETS:
                results[name] = wrk(portal_base + path, args.duration)
        cached = {**env, "PORTAL_RESPONSE_CACHE": "on", "PORTAL_CACHE_REDIS_URL": ""}
        if args.redis != "none":
            import redis

            redis.Redis.from_url(args.redis).flushdb()
            cached["PORTAL_CACHE_REDIS_URL"] = args.redis
        with serve(gunicorn, cached, f"{portal_base}/healthz"):
            for name, path in PORTAL_TARGETS:
                results[f"{name} cached"] = wrk(portal_base + path, args.duration)
        if args.portal_only:
            return report(results, args, url, baseline_name="portal page")
        with serve(datasette, env, f"{datasette_base}/-/versions.json"):
            facets = "&_facet=category&_facet=licensing_status&_facet=trl"
            # Datasette needs seconds per faceted page under 16 connections, so a 10 s window
            # ends before most of its requests do: give it three times as long for a fair rate.
            slow = args.duration * 3
            results["datasette"] = wrk(
                f"{datasette_base}/db/technology?chemistry=na_ion{facets}", slow
            )
            # For reference: Datasette with the portal's page size (20 rows instead of 100).
            results["datasette _size=20"] = wrk(
                f"{datasette_base}/db/technology?chemistry=na_ion{facets}&_size=20", slow
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(results, args, url, baseline_name="datasette")


def report(results: dict, args, url: str, baseline_name: str) -> None:
    """The table: requests/s, latency, errors, the ratio to the baseline and cached ÷ uncached."""
    baseline = results[baseline_name]
    print()
    print(
        f"{'target':<24} {'req/s':>9} {'p95 ms':>9} {'p50 ms':>9} {'errors':>7} "
        f"{'× ' + baseline_name:>16} {'× uncached':>11}"
    )
    for name, result in results.items():
        ratio = result["rps"] / baseline["rps"] if baseline["rps"] else float("nan")
        plain = results.get(name.removesuffix(" cached"))
        speedup = f"{result['rps'] / plain['rps']:>10.1f}×" if name.endswith(" cached") else ""
        print(
            f"{name:<24} {result['rps']:>9.1f} {result['p95_ms']:>9.1f} "
            f"{result['p50_ms']:>9.1f} {int(result['errors']):>7} {ratio:>15.1f}× {speedup}"
        )
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    cache = "none (simple cache per worker)" if args.redis == "none" else args.redis
    print(
        f"\n{args.rows} technologies, {database}, gunicorn 2 workers, wrk -t2 -c16 "
        f"-d{args.duration}s (Datasette -d{args.duration * 3}s); response cache: {cache}"
    )
    if any(result["errors"] for result in results.values()):
        raise SystemExit("some requests failed")


if __name__ == "__main__":
    main()
