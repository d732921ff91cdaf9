"""Real Celery workers (`portal worker` subprocesses) on the machine's Redis, database 7: an upload is
ingested by the worker, and a worker killed with SIGKILL mid-job is restarted and finishes the job
with no duplicate row or object."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import select

from portal import create_app, jobs
from portal.datasets.models import CycleSummary, DatasetFile
from tests import factories, processes
from tests.conftest import PortalClient, _empty_all_tables
from tests.cycler_data import CYCLER_DIR, maccor_head
from tests.helpers import upload_cycler_file
from tests.processes import log_tails, start_logged, stop_all

BROKER = os.environ.get("PORTAL_TEST_BROKER_URL", "redis://127.0.0.1:6379/7")
PORTAL = Path(sys.executable).with_name("portal")
MACCOR = CYCLER_DIR / "maccor_002.txt"

pytestmark = pytest.mark.slow


def _redis():
    import redis

    client = redis.Redis.from_url(BROKER, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {BROKER} (.ci/run starts the machine's redis-server)")
    return client


@pytest.fixture
def broker() -> Iterator[str]:
    """Redis database 7, empty before and after the test."""
    client = _redis()
    client.flushdb()
    yield BROKER
    client.flushdb()


@pytest.fixture
def app_config(app_config, broker):
    return {**app_config, "JOBS_EAGER": False, "BROKER_URL": broker, "MAX_UPLOAD_MB": 5}


@pytest.fixture
def app(app_config, mailbox) -> Iterator[Flask]:
    application = create_app(app_config)
    application.test_client_class = PortalClient
    yield application
    application.extensions["db_engine"].dispose()
    _empty_all_tables(app_config["DATABASE_URL"])


@pytest.fixture
def start_worker(app_config, tmp_path) -> Iterator[Callable[[], subprocess.Popen]]:
    """Start `portal worker` on the test's settings (solo pool by default: the job runs in the
    worker's own process, the one a test kills)."""
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": app_config["DATABASE_URL"],
        "PORTAL_DATA_DIR": str(app_config["DATA_DIR"]),
        "PORTAL_INSTANCE_DIR": str(app_config["INSTANCE_DIR"]),
        "PORTAL_SECRET_KEY": app_config["SECRET_KEY"],
        "PORTAL_SMTP_URL": app_config["SMTP_URL"],
        "PORTAL_BROKER_URL": app_config["BROKER_URL"],
        "PORTAL_JOB_STALE_SECONDS": str(app_config["JOB_STALE_SECONDS"]),
    }
    started: list[subprocess.Popen] = []

    def start(pool: str = "solo") -> subprocess.Popen:
        command = [str(PORTAL), "worker", "--pool", pool, "--concurrency", "1"]
        process = start_logged(command, tmp_path / f"worker-{len(started)}.log", env=env)
        started.append(process)
        return process

    yield start
    stop_all(started)


def wait_for(check: Callable[[], bool], seconds: float, what: str, tmp_path: Path) -> None:
    processes.wait_for(check, seconds, what, lambda: worker_logs(tmp_path))


def worker_logs(tmp_path: Path) -> str:
    """The end of each worker's log, for a failure message."""
    return log_tails(tmp_path, "worker-*.log")


def file_state(db, file_id: int) -> DatasetFile | None:
    db.expire_all()
    return db.get(DatasetFile, file_id)


def stored(app) -> set[str]:
    folder = Path(app.config["DATA_DIR"]) / "datasets"
    return {p.name for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def test_a_celery_worker_ingests_an_upload(app, client, db, login_as, start_worker, tmp_path):
    assert jobs.mode(app.config) == jobs.CELERY
    login_as("staff")
    dataset = factories.make_dataset(db)
    response = upload_cycler_file(client, dataset.slug, maccor_head())
    assert response.status_code == 302
    dataset_file = db.exec(select(DatasetFile)).one()
    assert dataset_file.status == "queued"  # nothing ran in the web process
    start_worker()
    wait_for(lambda: file_state(db, dataset_file.id).status == "ingested", 90, "ingested", tmp_path)
    done = file_state(db, dataset_file.id)
    assert done.progress_percent == 100 and done.cycle_count >= 1
    assert stored(app) == {done.stored_name, done.parquet_name}


def queue_long_test(app, db, tmp_path: Path) -> int:
    """Store a ~90 MB synthetic test of 3,000 cycles as queued and send its job; its id."""
    from portal import db as portal_db
    from portal.datasets import files
    from portal.datasets import jobs as dataset_jobs
    from portal.datasets.synthetic import write_csv

    big = write_csv(tmp_path / "long_test.csv", cycles=3000)
    dataset = factories.make_dataset(db)
    with app.app_context():
        session = portal_db.session()
        with open(big, "rb") as stream:
            queued = files.receive_file(
                session, session.merge(dataset), stream, big.name, max_bytes=None
            )
        dataset_jobs.queue_ingest(session, queued, action="")
        portal_db.commit()  # the job goes to Redis now
        return queued.id


def assert_ingested_once(app, db, file_id: int, killed_attempt: str, tmp_path: Path) -> None:
    """One summary row per cycle, the original and one table stored, by a newer run."""
    done = file_state(db, file_id)
    assert done.attempt_id != killed_attempt, worker_logs(tmp_path)
    rows = db.exec(select(CycleSummary).where(CycleSummary.dataset_file_id == file_id)).all()
    assert len(rows) == done.cycle_count == 3000
    assert len({row.cycle_index for row in rows}) == 3000
    assert stored(app) == {done.stored_name, done.parquet_name}


def child_pids(pid: int) -> list[int]:
    """The direct children of a process (Linux /proc)."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    return children


def test_a_worker_killed_mid_job_is_restarted_and_finishes_without_duplicates(
    app, db, start_worker, tmp_path
):
    file_id = queue_long_test(app, db, tmp_path)
    first = start_worker()
    # Mid-job: the reader has finished (rows read are known) but nothing is recorded yet.
    wait_for(lambda: file_state(db, file_id).rows_read is not None, 120, "rows read", tmp_path)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed = file_state(db, file_id)
    assert killed.status == "running" and killed.progress_percent < 100
    assert db.exec(select(CycleSummary)).all() == []
    assert killed.parquet_name is None
    killed_attempt = killed.attempt_id  # (the session hands back the same object later)

    start_worker()  # takes over the unfinished file
    wait_for(lambda: file_state(db, file_id).status == "ingested", 180, "ingested", tmp_path)
    assert_ingested_once(app, db, file_id, killed_attempt, tmp_path)


def test_a_pool_process_killed_mid_job_gives_the_task_back_to_the_broker(
    app, db, start_worker, tmp_path
):
    worker = start_worker(pool="prefork")
    # Queued only once the worker is up: then the job has one message (no start-up re-send),
    # and finishing it proves the broker gave that message back.
    log = tmp_path / "worker-0.log"
    wait_for(lambda: "ready." in log.read_text(errors="replace"), 60, "worker ready", tmp_path)
    file_id = queue_long_test(app, db, tmp_path)
    wait_for(lambda: file_state(db, file_id).rows_read is not None, 120, "rows read", tmp_path)
    killed_attempt = file_state(db, file_id).attempt_id
    (child,) = child_pids(worker.pid)
    os.kill(child, signal.SIGKILL)  # the pool process running the job, not the worker
    # task_reject_on_worker_lost: the message goes back to the queue and runs again, in the
    # same worker's new pool process, with no restart.
    wait_for(lambda: file_state(db, file_id).status == "ingested", 180, "ingested", tmp_path)
    assert_ingested_once(app, db, file_id, killed_attempt, tmp_path)
    assert worker.poll() is None
    assert "WorkerLostError" in log.read_text(errors="replace")
