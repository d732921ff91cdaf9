"""Several nodes, proven: two web processes (gunicorn) with their own instance folders, one Celery
worker, PostgreSQL, Redis and an S3 endpoint. An upload through node A is watched on node B, the
worker is killed mid-ingest and started again, and node B serves the result byte for byte; no row
or object is left orphaned and nothing lands on either node's local disk."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from sqlmodel import select

from portal.datasets.models import CycleSummary, DatasetFile
from tests import factories, processes
from tests.conftest import TEST_PASSWORD
from tests.processes import log_tails, start_logged, stop_all
from tests.test_jobs_celery import BROKER, _redis

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
CYCLES = 3000


@pytest.fixture
def cluster_settings(app_config, s3_bucket, tmp_path) -> dict:
    """What every process of the cluster shares: the database, the broker, the bucket, the key."""
    if not app_config["DATABASE_URL"].startswith("postgresql"):
        pytest.skip(
            "the several-nodes test needs PostgreSQL (PORTAL_TEST_DATABASE_URL; .ci/run sets it)"
        )
    client = _redis()
    client.flushdb()
    bucket = s3_bucket.settings
    yield {
        "PORTAL_DATABASE_URL": app_config["DATABASE_URL"],
        "PORTAL_SECRET_KEY": app_config["SECRET_KEY"],
        "PORTAL_SMTP_URL": app_config["SMTP_URL"],
        "PORTAL_BROKER_URL": BROKER,
        "PORTAL_JOB_STALE_SECONDS": "3",
        "PORTAL_STORAGE_URL": bucket["STORAGE_URL"],
        "PORTAL_S3_ENDPOINT_URL": bucket["S3_ENDPOINT_URL"],
        "PORTAL_S3_REGION": bucket["S3_REGION"],
        "PORTAL_S3_ACCESS_KEY_ID": bucket["S3_ACCESS_KEY_ID"],
        "PORTAL_S3_SECRET_ACCESS_KEY": bucket["S3_SECRET_ACCESS_KEY"],
        "PORTAL_MAX_UPLOAD_MB": "200",
    }
    client.flushdb()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def start(cluster_settings, tmp_path) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start one process of the cluster with its own instance and data folders."""
    started: list[subprocess.Popen] = []

    def run(name: str, *command: str) -> subprocess.Popen:
        home = tmp_path / name
        (home / "data").mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            **cluster_settings,
            "PORTAL_INSTANCE_DIR": str(home),
            "PORTAL_DATA_DIR": str(home / "data"),
        }
        process = start_logged(list(command), tmp_path / f"{name}.log", cwd=ROOT, env=env)
        started.append(process)
        return process

    yield run
    stop_all(started)


def wait_for(check: Callable[[], bool], seconds: float, what: str, tmp_path: Path) -> None:
    # A node not listening yet, or still booting, is not a failure.
    processes.wait_for(
        check,
        seconds,
        what,
        lambda: log_tails(tmp_path, chars=2000),
        retry_on=(requests.RequestException,),
        every=0.1,
    )


def web_node(start, name: str, tmp_path: Path) -> str:
    port = _free_port()
    start(name, str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app")
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: requests.get(f"{base}/healthz", timeout=2).ok, 60, f"{name} up", tmp_path)
    return base


def csrf_from(html: str) -> str:
    """The page's CSRF token (empty on the cookie-less public pages: the Origin header counts)."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]*)"', html).group(1)


def sign_in(base: str, email: str) -> requests.Session:
    browser = requests.Session()
    browser.headers["Origin"] = base  # as a browser sends on a form post from our own page
    token = csrf_from(browser.get(f"{base}/login").text)
    answer = browser.post(
        f"{base}/login",
        data={"email": email, "password": TEST_PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:300]
    return browser


def progress_on(browser: requests.Session, base: str, slug: str, file_id: int) -> str:
    html = browser.get(f"{base}/admin/datasets/{slug}/files/{file_id}/progress").text
    return re.search(r'data-status="([a-z]+)"', html).group(1)


def test_upload_on_a_watch_on_b_worker_killed_and_result_served_by_b(
    start, db, s3_bucket, tmp_path
):
    from portal.datasets.synthetic import write_csv

    staff = factories.make_user(db, role="staff")
    dataset = factories.make_dataset(db, visibility="public")
    node_a = web_node(start, "node-a", tmp_path)
    node_b = web_node(start, "node-b", tmp_path)
    original = write_csv(tmp_path / "long-test.csv", cycles=CYCLES)

    # Upload through node A; the cookie it gives works on node B (sessions live in the database).
    browser = sign_in(node_a, staff.email)
    token = csrf_from(browser.get(f"{node_a}/admin/datasets/{dataset.slug}").text)
    with open(original, "rb") as stream:
        answer = browser.post(
            f"{node_a}/admin/datasets/{dataset.slug}/files",
            data={"csrf_token": token},
            files={"file": ("long-test.csv", stream, "text/csv")},
            allow_redirects=False,
        )
    assert answer.status_code == 302, answer.text[:500]
    uploaded = db.exec(select(DatasetFile)).one()
    assert progress_on(browser, node_b, dataset.slug, uploaded.id) == "queued"

    worker = start("worker-1", str(BIN / "portal"), "worker", "--pool", "solo")

    def rows_read() -> bool:
        db.expire_all()
        return db.get(DatasetFile, uploaded.id).rows_read is not None

    wait_for(rows_read, 180, "the worker reading the file", tmp_path)
    assert progress_on(browser, node_b, dataset.slug, uploaded.id) == "running"
    os.killpg(worker.pid, signal.SIGKILL)  # mid-ingest: read, nothing recorded yet
    worker.wait(timeout=10)
    assert db.exec(select(CycleSummary)).all() == []

    start("worker-2", str(BIN / "portal"), "worker", "--pool", "solo")
    wait_for(
        lambda: progress_on(browser, node_b, dataset.slug, uploaded.id) == "ingested",
        240,
        "ingested, seen on node B",
        tmp_path,
    )

    served = browser.get(f"{node_b}/datasets/{dataset.slug}/files/{uploaded.id}/download/original")
    assert served.status_code == 200
    assert served.content == original.read_bytes()

    db.expire_all()
    done = db.get(DatasetFile, uploaded.id)
    rows = db.exec(select(CycleSummary).where(CycleSummary.dataset_file_id == done.id)).all()
    assert len(rows) == done.cycle_count == CYCLES
    assert db.exec(select(DatasetFile)).all() == [done]
    prefix = s3_bucket.prefix + "/datasets/"
    assert set(s3_bucket.object_keys()) == {
        prefix + done.stored_name,
        prefix + done.parquet_name,
    }
    for node in ("node-a", "node-b", "worker-1", "worker-2"):
        on_disk = [p for p in (tmp_path / node / "data").rglob("*") if p.is_file()]
        assert on_disk == [], f"{node} kept files on its local disk: {on_disk}"
