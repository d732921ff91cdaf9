"""Ingest as a job: the upload only queues, the job reports progress, fails with a reason, retries,
runs twice without duplicating anything, and gives up on a deleted file."""

from __future__ import annotations

import contextvars
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from portal.audit.models import AuditEntry
from portal.datasets.models import CycleSummary, DatasetFile
from portal.db import utcnow
from tests import factories
from tests.cycler_data import CYCLER_DIR, maccor_head
from tests.helpers import upload_cycler_file as upload

MACCOR = CYCLER_DIR / "maccor_002.txt"
POLLING = 'hx-trigger="every 1s"'


def an_hour_ago():
    return utcnow() - timedelta(hours=1)


@pytest.fixture(scope="module")
def small_maccor() -> bytes:
    return maccor_head()


@pytest.fixture
def staff(client, login_as):
    login_as("staff")
    return client


@pytest.fixture
def sent(monkeypatch) -> list[tuple[str, dict]]:
    """Jobs handed to the queue, recorded instead of run (so a test sees the queued state)."""
    from portal import jobs

    calls: list[tuple[str, dict]] = []
    monkeypatch.setattr(
        jobs, "send", lambda _app, name, kwargs, delay=0: calls.append((name, kwargs))
    )
    return calls


def stored(app) -> set[str]:
    folder = Path(app.config["DATA_DIR"]) / "datasets"
    return {p.name for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def only_file(db) -> DatasetFile:
    db.expire_all()
    return db.exec(select(DatasetFile)).one()


def progress_url(dataset, dataset_file) -> str:
    return f"/admin/datasets/{dataset.slug}/files/{dataset_file.id}/progress"


def run_job(app, name: str, kwargs: dict) -> str:
    from portal.jobs.runner import run_job as run

    return run(app, name, kwargs)


def actions(db) -> list[str]:
    return [e.action for e in db.exec(select(AuditEntry).order_by(AuditEntry.id)).all()]


def test_the_upload_request_stores_and_queues_but_never_ingests(app, db, staff, sent, small_maccor):
    dataset = factories.make_dataset(db)
    response = upload(staff, dataset.slug, small_maccor)
    assert response.status_code == 302
    dataset_file = only_file(db)
    assert (dataset_file.status, dataset_file.format) == ("queued", "maccor_txt")
    assert dataset_file.parquet_name is None and dataset_file.row_count is None
    assert db.exec(select(CycleSummary)).all() == []
    assert stored(app) == {dataset_file.stored_name}  # the original only
    # Sent once, after the commit, naming the file and its current job.
    assert sent == [
        ("datasets.ingest", {"file_id": dataset_file.id, "job_id": dataset_file.job_id})
    ]


def test_a_refused_upload_sends_no_job(app, db, staff, sent):
    dataset = factories.make_dataset(db)
    response = upload(staff, dataset.slug, b"name,colour\nfoo,red\n", "shopping.csv")
    assert response.status_code == 400
    assert sent == [] and db.exec(select(DatasetFile)).all() == [] and stored(app) == set()


def test_in_eager_mode_the_job_runs_right_after_the_upload_commits(app, db, staff, small_maccor):
    dataset = factories.make_dataset(db)
    assert upload(staff, dataset.slug, small_maccor).status_code == 302
    dataset_file = only_file(db)
    assert dataset_file.status == "ingested"
    assert dataset_file.progress_percent == 100
    assert dataset_file.rows_read == dataset_file.row_count > 1000
    assert len(db.exec(select(CycleSummary)).all()) == dataset_file.cycle_count > 0
    assert stored(app) == {dataset_file.stored_name, dataset_file.parquet_name}
    assert actions(db)[-2:] == ["dataset.file_added", "dataset.file_ingested"]


def test_the_progress_fragment_polls_while_queued_or_running_and_stops_when_done(
    app, db, staff, sent, small_maccor
):
    dataset = factories.make_dataset(db)
    upload(staff, dataset.slug, small_maccor)
    dataset_file = only_file(db)
    url = progress_url(dataset, dataset_file)

    queued = staff.get(url, headers={"HX-Request": "true"})
    html = queued.get_data(as_text=True)
    assert queued.status_code == 200 and "HX-Request" in queued.headers["Vary"]
    assert queued.headers["Cache-Control"] == "no-store"
    assert POLLING in html and f'hx-get="{url}"' in html and "Queued" in html
    assert "<html" not in html  # the fragment alone

    dataset_file.status, dataset_file.progress_percent, dataset_file.rows_read = (
        "running",
        42,
        12345,
    )
    dataset_file.job_updated_at = an_hour_ago()  # its worker died: the next run takes over
    db.add(dataset_file)
    db.commit()
    html = staff.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert POLLING in html and "42 %" in html and "12,345 rows read" in html
    assert 'value="42"' in html

    run_job(app, *sent[0])
    html = staff.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert POLLING not in html and "Done" in html
    assert f"{only_file(db).cycle_count} cycles" in html

    page = staff.get(url)  # without htmx: a whole page with the same fragment
    assert "<html" in page.get_data(as_text=True) and "Done" in page.get_data(as_text=True)


def test_only_staff_see_progress_and_unfinished_files(
    app, db, client, sent, small_maccor, login_as
):
    dataset = factories.make_dataset(db, visibility="public")
    staff_browser = app.test_client()
    login_as("staff", client_=staff_browser)
    upload(staff_browser, dataset.slug, small_maccor, "queued-file.txt")
    dataset_file = only_file(db)
    public_page = client.get(f"/datasets/{dataset.slug}").get_data(as_text=True)
    assert "queued-file.txt" not in public_page  # half-done work is not shown to visitors
    assert client.get(progress_url(dataset, dataset_file)).status_code in (302, 401, 403, 404)
    staff_page = staff_browser.get(f"/datasets/{dataset.slug}").get_data(as_text=True)
    assert "queued-file.txt" in staff_page and POLLING in staff_page


def test_a_failing_file_ends_failed_with_its_reason_and_retry_works_once_fixed(
    app, db, staff, small_maccor, monkeypatch
):
    from portal.datasets import jobs
    from portal.datasets.ingest import IngestError, ingest_file

    def reader_bug(*_args, **_kwargs):
        raise IngestError("The file looks like Maccor text but its step column is garbled.")

    monkeypatch.setattr(jobs, "ingest_file", reader_bug)
    dataset = factories.make_dataset(db)
    assert upload(staff, dataset.slug, small_maccor).status_code == 302
    failed = only_file(db)
    assert failed.status == "failed"
    assert failed.error_message == "The file looks like Maccor text but its step column is garbled."
    assert failed.parquet_name is None and db.exec(select(CycleSummary)).all() == []
    assert stored(app) == {failed.stored_name}  # the original stays for Retry
    html = staff.get(progress_url(dataset, failed)).get_data(as_text=True)
    assert "step column is garbled" in html and "Retry" in html and POLLING not in html
    retry_url = f"/admin/datasets/{dataset.slug}/files/{failed.id}/retry"
    assert re.search(rf'<form method="post" action="{retry_url}"', html)
    assert 'name="csrf_token"' in html
    assert f'name="next" value="/admin/datasets/{dataset.slug}#files"' in html

    assert staff.post(retry_url).status_code == 400  # no CSRF token: refused
    assert only_file(db).status == "failed"

    monkeypatch.setattr(jobs, "ingest_file", ingest_file)  # the reader is fixed
    response = staff.post_form(retry_url, {"next": f"/datasets/{dataset.slug}"})
    assert (
        response.status_code == 302 and response.headers["Location"] == f"/datasets/{dataset.slug}"
    )
    done = only_file(db)
    assert (done.status, done.error_message) == ("ingested", "")
    assert len(db.exec(select(CycleSummary)).all()) == done.cycle_count > 0
    assert stored(app) == {done.stored_name, done.parquet_name}
    assert "dataset.file_ingest_failed" in actions(db)
    assert actions(db)[-2:] == ["dataset.file_retried", "dataset.file_ingested"]


def test_retry_is_refused_for_a_file_that_did_not_fail(app, db, staff, small_maccor):
    dataset = factories.make_dataset(db)
    upload(staff, dataset.slug, small_maccor)
    dataset_file = only_file(db)
    before = actions(db)
    response = staff.post_form(
        f"/admin/datasets/{dataset.slug}/files/{dataset_file.id}/retry", follow_redirects=True
    )
    assert "Only a failed file can be retried." in response.get_data(as_text=True)
    assert actions(db) == before


def test_a_job_run_again_replaces_rows_and_objects_never_adds(app, db, staff, sent, small_maccor):
    dataset = factories.make_dataset(db)
    upload(staff, dataset.slug, small_maccor)
    name, kwargs = sent[0]
    assert run_job(app, name, kwargs).startswith("ingested")
    first = only_file(db)
    rows = len(db.exec(select(CycleSummary)).all())
    # As if the worker died after its work and the message came again: the file looks running,
    # with a heartbeat that stopped.
    first.status, first.job_updated_at = "running", an_hour_ago()
    db.add(first)
    db.commit()
    assert run_job(app, name, kwargs).startswith("ingested")
    again = only_file(db)
    assert len(db.exec(select(CycleSummary)).all()) == rows == again.cycle_count
    assert stored(app) == {again.stored_name, again.parquet_name}
    # A finished job's message, delivered late, does nothing.
    assert run_job(app, name, kwargs) == "nothing to do"
    assert stored(app) == {again.stored_name, again.parquet_name}


def test_reingest_is_a_job_that_swaps_the_table_and_removes_the_old_one(
    app, db, staff, small_maccor
):
    dataset = factories.make_dataset(db)
    upload(staff, dataset.slug, small_maccor)
    first = only_file(db)
    old_parquet, old_job = first.parquet_name, first.job_id
    response = staff.post_form(f"/admin/datasets/{dataset.slug}/files/{first.id}/reingest")
    assert response.status_code == 302
    again = only_file(db)
    assert again.status == "ingested" and again.parquet_name != old_parquet
    assert again.job_id != old_job
    assert stored(app) == {again.stored_name, again.parquet_name}
    assert len(db.exec(select(CycleSummary)).all()) == again.cycle_count
    assert "dataset.file_reingest_queued" in actions(db)


def test_a_file_deleted_while_queued_makes_the_job_end_with_nothing(
    app, db, staff, sent, small_maccor
):
    dataset = factories.make_dataset(db)
    upload(staff, dataset.slug, small_maccor)
    dataset_file = only_file(db)
    staff.post_form(f"/admin/datasets/{dataset.slug}/files/{dataset_file.id}/delete")
    assert run_job(app, *sent[0]) == "nothing to do"
    assert db.exec(select(DatasetFile)).all() == [] and stored(app) == set()
    assert db.exec(select(CycleSummary)).all() == []


def test_a_message_for_an_older_request_does_nothing(app, db, staff, sent, small_maccor):
    dataset = factories.make_dataset(db)
    upload(staff, dataset.slug, small_maccor)
    name, kwargs = sent[0]
    assert run_job(app, name, {**kwargs, "job_id": "0" * 32}) == "nothing to do"
    assert only_file(db).status == "queued"


def test_a_run_with_a_live_heartbeat_is_left_alone_and_looked_at_again_later(
    app, db, staff, monkeypatch, small_maccor
):
    from portal import jobs

    later: list[tuple[dict, float]] = []
    monkeypatch.setattr(
        jobs, "send", lambda _app, name, kwargs, delay=0: later.append((kwargs, delay))
    )
    dataset = factories.make_dataset(db)
    upload(staff, dataset.slug, small_maccor)
    ((kwargs, _),) = later
    running = only_file(db)
    # Another worker is running it: status running, its attempt, a heartbeat a moment ago.
    running.status, running.attempt_id, running.job_updated_at = "running", "c" * 32, utcnow()
    db.add(running)
    db.commit()
    outcome = run_job(app, "datasets.ingest", kwargs)
    assert outcome.startswith("running on another worker")
    assert later[-1] == (kwargs, app.config["JOB_STALE_SECONDS"])  # sent again, delayed
    assert only_file(db).attempt_id == "c" * 32 and only_file(db).status == "running"
    # That worker died: its heartbeat grows old, and the delayed look takes the file over.
    running = only_file(db)
    running.job_updated_at = an_hour_ago()
    db.add(running)
    db.commit()
    assert run_job(app, "datasets.ingest", kwargs).startswith("ingested")
    assert only_file(db).attempt_id != "c" * 32


def test_a_running_job_keeps_its_heartbeat_fresh(app, db, staff, sent, monkeypatch, small_maccor):
    from portal.datasets import jobs as dataset_jobs
    from portal.jobs import heartbeat

    beats: list = []
    real_beat = dataset_jobs._beat

    def counted(file_id, attempt):
        beat = real_beat(file_id, attempt)
        return lambda: (beat(), beats.append(utcnow()))

    monkeypatch.setattr(dataset_jobs, "_beat", counted)
    monkeypatch.setattr(heartbeat, "interval", lambda _stale: 0.05)
    slow_ingest = dataset_jobs.ingest_file

    def slow(*args, **kwargs):
        time.sleep(0.5)  # a long read, with no progress reported
        return slow_ingest(*args, **kwargs)

    monkeypatch.setattr(dataset_jobs, "ingest_file", slow)
    dataset = factories.make_dataset(db)
    upload(staff, dataset.slug, small_maccor)
    assert run_job(app, *sent[0]).startswith("ingested")
    assert len(beats) >= 3  # the heartbeat ran while the reader was silent


def test_a_starting_worker_lists_every_queued_or_running_file(app, db, staff, sent, small_maccor):
    from portal.jobs.runner import unfinished

    dataset = factories.make_dataset(db)
    upload(staff, dataset.slug, small_maccor, "a.txt")
    upload(staff, dataset.slug, small_maccor, "b.txt")
    run_job(app, *sent[0])
    assert unfinished(app) == [sent[1]]
    first = db.get(DatasetFile, sent[0][1]["file_id"])
    first.status = "running"  # a worker was killed while running it
    db.add(first)
    db.commit()
    assert unfinished(app) == [
        ("datasets.ingest", {"file_id": first.id, "job_id": first.job_id}),
        sent[1],
    ]


def test_the_scheduled_jobs_run_the_same_work_as_the_commands(app, db):
    from datetime import date

    agreement = factories.make_agreement(db, status="active", expires_on=date(2026, 1, 1))
    assert run_job(app, "agreements.sweep", {"today": "2026-01-02"}) == (
        "1 agreement(s) expired, 0 expired upload(s) removed"
    )
    db.expire_all()
    assert db.get(type(agreement), agreement.id).status == "expired"
    outcome = run_job(app, "agreements.send_reminders", {"today": str(date(2026, 1, 2))})
    assert outcome.startswith("0 reminder(s)")


def test_portal_ingest_prints_the_percentage_and_rows_read(app, db, tmp_path, small_maccor):
    source = tmp_path / "maccor.txt"
    source.write_bytes(small_maccor)
    result = app.test_cli_runner().invoke(args=["ingest", str(source), "--dataset", "cli-jobs"])
    assert result.exit_code == 0, result.output
    dataset_file = only_file(db)
    terminal = result.output + (getattr(result, "stderr", "") or "")
    assert "100%" in terminal
    assert f"{dataset_file.row_count:,} rows read" in terminal


def test_a_file_deleted_while_its_job_runs_leaves_nothing(
    app, db, staff, sent, small_maccor, monkeypatch
):
    from portal.datasets import jobs
    from portal.datasets.ingest import ingest_file

    dataset = factories.make_dataset(db)
    upload(staff, dataset.slug, small_maccor)
    dataset_file = only_file(db)

    def deleted_meanwhile(*args, **kwargs):
        result = ingest_file(*args, **kwargs)
        # Staff delete the file while the job reads it (their request in a context of its own,
        # as it would be on another thread or node).
        url = f"/admin/datasets/{dataset.slug}/files/{dataset_file.id}/delete"
        assert contextvars.Context().run(staff.post_form, url).status_code == 302
        return result

    monkeypatch.setattr(jobs, "ingest_file", deleted_meanwhile)
    assert run_job(app, *sent[0]).startswith("given up")
    assert db.exec(select(DatasetFile)).all() == [] and db.exec(select(CycleSummary)).all() == []
    assert stored(app) == set()
