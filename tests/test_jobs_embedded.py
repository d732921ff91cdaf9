"""The default without a broker: the web process's own worker thread runs the ingest job."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from flask import Flask
from polars.exceptions import PanicException
from sqlmodel import select

from portal import create_app, jobs
from portal.datasets.models import DatasetFile
from tests import factories
from tests.cycler_data import CYCLER_DIR, maccor_head
from tests.helpers import app_with_worker_thread, upload_cycler_file

MACCOR = CYCLER_DIR / "maccor_002.txt"
RAN: list[str] = []


def panicking_job() -> None:
    """A job whose Rust extension panics (pyo3's PanicException is not an Exception)."""
    raise PanicException("slice index starts at 1 but ends at 0")


def recording_job(mark: str) -> str:
    """A job that leaves a mark, to show the worker is still there."""
    RAN.append(mark)
    return mark


@pytest.fixture
def app_config(app_config):
    return {**app_config, "JOBS_EAGER": False}


@pytest.fixture
def app(app_config, mailbox) -> Iterator[Flask]:
    yield from app_with_worker_thread(app_config)


def poll_until_finished(client, url: str, seconds: float = 60) -> str:
    """Fetch the progress fragment as htmx would, every 0.2 s, until it stops asking to poll."""
    deadline = time.monotonic() + seconds
    seen = []
    while time.monotonic() < deadline:
        html = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        seen.append(html)
        if "hx-trigger" not in html:
            return html
        time.sleep(0.2)
    raise AssertionError(f"still polling after {seconds} s: {seen[-1][:500]}")


def test_without_a_broker_the_mode_is_the_worker_thread(app):
    assert jobs.mode(app.config) == jobs.THREAD


def test_the_worker_thread_ingests_a_queued_upload(app, client, db, login_as):
    login_as("staff")
    dataset = factories.make_dataset(db)
    response = upload_cycler_file(
        client, dataset.slug, maccor_head(), headers={"HX-Request": "true"}
    )
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "ingest is queued" in fragment
    dataset_file = db.exec(select(DatasetFile)).one()
    url = f"/admin/datasets/{dataset.slug}/files/{dataset_file.id}/progress"
    assert f'hx-get="{url}"' in fragment  # the upload answer starts the polling
    worker = app.extensions["jobs"].thread
    assert worker is not None and worker.is_alive()
    finished = poll_until_finished(client, url)
    assert 'data-status="ingested"' in finished and "Done" in finished
    db.expire_all()
    done = db.get(DatasetFile, dataset_file.id)
    assert done.status == "ingested" and done.progress_percent == 100 and done.cycle_count >= 1


def test_a_starting_worker_thread_takes_over_a_file_left_running(app, client, db):
    from portal.datasets.files import add_file

    dataset = factories.make_dataset(db)
    with app.app_context():
        from portal import db as portal_db

        session = portal_db.session()
        with open(MACCOR, "rb") as stream:
            dataset_file = add_file(session, session.merge(dataset), stream, "maccor.txt")
        # As a worker killed mid-job leaves it: running, with a job that never finished.
        dataset_file.status, dataset_file.job_id, dataset_file.attempt_id = (
            "running",
            "a" * 32,
            "b" * 32,
        )
        session.add(dataset_file)
        session.commit()
        file_id = dataset_file.id
    assert app.extensions["jobs"].thread is None
    client.get("/")  # the first request starts the worker, which picks the file up
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        db.expire_all()
        if db.get(DatasetFile, file_id).status == "ingested":
            break
        time.sleep(0.2)
    again = db.get(DatasetFile, file_id)
    assert again.status == "ingested" and again.attempt_id != "b" * 32


def test_a_broker_url_that_is_neither_redis_nor_amqp_stops_the_start(app_config):
    from portal.config import ConfigError

    with pytest.raises(ConfigError, match="PORTAL_BROKER_URL"):
        create_app({**app_config, "BROKER_URL": "http://127.0.0.1:6379/7"})


def test_portal_worker_without_a_broker_says_why_and_exits(app):
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code == 1
    assert "PORTAL_BROKER_URL is not set" in result.output


def test_cli_commands_do_not_start_the_worker_thread(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["sweep", "--today", "2026-01-02"])
    assert result.exit_code == 0, result.output
    assert app.extensions["jobs"].thread is None


def test_a_job_that_panics_is_logged_and_the_worker_thread_runs_the_next(app, monkeypatch, caplog):
    monkeypatch.setitem(jobs.registry.JOBS, "tests.panic", "tests.test_jobs_embedded:panicking_job")
    monkeypatch.setitem(jobs.registry.JOBS, "tests.mark", "tests.test_jobs_embedded:recording_job")
    worker = app.extensions["jobs"]
    worker.start()
    RAN.clear()
    jobs.send(app, "tests.panic", {})
    jobs.send(app, "tests.mark", {"mark": "after the panic"})
    deadline = time.monotonic() + 30
    while not RAN and time.monotonic() < deadline:
        time.sleep(0.05)
    assert RAN == ["after the panic"]
    assert worker.thread is not None and worker.thread.is_alive()
    assert "job tests.panic {} failed" in caplog.text
