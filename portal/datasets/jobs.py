"""The ingest job: read a stored original into its Parquet table and summary, or fail with a reason.

The database is the durable record. A file waiting for a job is `queued` with a `job_id`; the job
names that id, so a message for an older request does nothing. Each run takes the file with a
fresh `attempt_id` (a later run wins; an earlier one gives up at its next step), keeps a heartbeat
in `job_updated_at` (a running file is taken over only once that is older than JOB_STALE_SECONDS,
so a starting worker or a duplicate message leaves a live run alone), writes progress as it goes, and records the result in one transaction that replaces (never adds to) the summary
rows and writes the table under the file's fixed next name. Running a job twice, or after a
worker was killed, therefore leaves the same rows and objects as running it once.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, update
from sqlmodel import Session, select

from portal import db, jobs, uploads
from portal.audit.services import record
from portal.datasets import files
from portal.datasets.conventions import convention_for
from portal.datasets.ingest import IngestError, ingest_file
from portal.datasets.metadata import fill_from_file
from portal.datasets.models import UNFINISHED, Dataset, DatasetFile
from portal.db import utcnow
from portal.jobs import heartbeat
from portal.storage import storage
from portal.vocabulary import FileStatus

INGEST = "datasets.ingest"
log = logging.getLogger(__name__)


def queue_ingest(session: Session, dataset_file: DatasetFile, *, actor=None, action: str) -> None:
    """Mark a file queued for a new ingest and send the job once this transaction commits."""
    dataset_file.status = FileStatus.QUEUED
    dataset_file.job_id = secrets.token_hex(16)
    dataset_file.attempt_id = None
    dataset_file.progress_percent = 0
    dataset_file.rows_read = None
    dataset_file.error_message = ""
    dataset_file.job_updated_at = utcnow()
    session.add(dataset_file)
    session.flush()
    if action:
        record(
            session,
            action,
            session.get(Dataset, dataset_file.dataset_id),
            changes={"file_id": dataset_file.id, "job_id": dataset_file.job_id},
            actor=actor,
        )
    jobs.enqueue_after_commit(session, INGEST, file_id=dataset_file.id, job_id=dataset_file.job_id)


def unfinished_jobs(session: Session) -> list[tuple[str, dict]]:
    """The ingest jobs a starting worker sends again: every file left queued or running."""
    rows = session.exec(
        select(DatasetFile.id, DatasetFile.job_id)
        .where(DatasetFile.status.in_(UNFINISHED), DatasetFile.job_id.is_not(None))
        .order_by(DatasetFile.id)
    ).all()
    return [(INGEST, {"file_id": file_id, "job_id": job_id}) for file_id, job_id in rows]


def run_ingest(file_id: int, job_id: str) -> str:
    """Ingest one queued file (the job); returns what happened, for the worker's log."""
    session = db.session()
    stale_seconds = current_app.config["JOB_STALE_SECONDS"]
    attempt = _take(session, file_id, job_id, stale_seconds)
    if attempt is None:
        if not _alive_elsewhere(session, file_id, job_id, stale_seconds):
            return "nothing to do"
        # Look again once its heartbeat could be stale: if that worker died, this takes over.
        kwargs = {"file_id": file_id, "job_id": job_id}
        jobs.send(current_app._get_current_object(), INGEST, kwargs, delay=stale_seconds)
        return f"running on another worker; looking again in {stale_seconds:g} s"
    dataset_file = session.get(DatasetFile, file_id)
    progress = _Progress(session, file_id, attempt)
    try:
        with (
            heartbeat.beating(stale_seconds, _beat(file_id, attempt)),
            uploads.scratch_dir("portal-job-") as scratch,
            storage().local_path(files.stored_key(dataset_file.stored_name)) as source,
        ):
            progress(0.02, None)
            parquet = scratch / "table.parquet"
            dataset = session.get(Dataset, dataset_file.dataset_id)
            result = ingest_file(
                source, parquet, convention=convention_for(dataset), progress=progress
            )
            if progress.lost or not _still_ours(session, file_id, attempt):
                session.rollback()
                return "given up: the file was deleted or another run took it"
            before = {"format": dataset_file.format, "cycle_count": dataset_file.cycle_count}
            files.record_ingest(session, dataset_file, parquet, result)
            fill_from_file(session, dataset, dataset_file)
            dataset_file.progress_percent = 100
            dataset_file.rows_read = dataset_file.row_count
            dataset_file.job_updated_at = utcnow()
            _audit(session, dataset_file, "dataset.file_ingested", before)
            db.commit()
            return f"ingested {dataset_file.cycle_count} cycles"
    except IngestError as error:
        return _fail(session, file_id, attempt, error.message)
    except FileNotFoundError:
        return _fail(session, file_id, attempt, _("The stored original of this file is missing."))
    except Exception:
        log.exception("ingest job for file %s stopped", file_id)
        return _fail(
            session,
            file_id,
            attempt,
            _("The ingest stopped on an internal error; Retry, or tell the portal's operators."),
        )


class _Progress:
    """Writes a run's percentage and rows read (each in its own short commit)."""

    def __init__(self, session: Session, file_id: int, attempt: str) -> None:
        self.session, self.file_id, self.attempt = session, file_id, attempt
        self.lost = False

    def __call__(self, fraction: float, rows: int | None) -> None:
        if self.lost:
            return
        values = {"progress_percent": min(99, round(fraction * 100)), "job_updated_at": utcnow()}
        if rows is not None:
            values["rows_read"] = int(rows)
        changed = self.session.execute(
            update(DatasetFile)
            .where(DatasetFile.id == self.file_id, DatasetFile.attempt_id == self.attempt)
            .values(**values)
        ).rowcount
        self.session.commit()
        self.lost = changed == 0  # deleted, or another run has taken the file


def _take(session: Session, file_id: int, job_id: str, stale_seconds: float) -> str | None:
    """Claim the file for a run of its current job: queued, or running with a stale heartbeat
    (its worker died); None when there is nothing to take."""
    attempt = secrets.token_hex(16)
    stale = _stale_before(stale_seconds)
    changed = session.execute(
        update(DatasetFile)
        .where(
            DatasetFile.id == file_id,
            DatasetFile.job_id == job_id,
            or_(
                DatasetFile.status == FileStatus.QUEUED,
                and_(
                    DatasetFile.status == FileStatus.RUNNING,
                    or_(DatasetFile.job_updated_at.is_(None), DatasetFile.job_updated_at < stale),
                ),
            ),
        )
        .values(
            status=FileStatus.RUNNING,
            attempt_id=attempt,
            progress_percent=0,
            rows_read=None,
            job_updated_at=utcnow(),
        )
    ).rowcount
    session.commit()
    session.expire_all()
    return attempt if changed else None


def _alive_elsewhere(session: Session, file_id: int, job_id: str, stale_seconds: float) -> bool:
    """Whether another worker is running this job now (its heartbeat is fresh)."""
    found = session.exec(
        select(DatasetFile.id).where(
            DatasetFile.id == file_id,
            DatasetFile.job_id == job_id,
            DatasetFile.status == FileStatus.RUNNING,
            DatasetFile.job_updated_at >= _stale_before(stale_seconds),
        )
    ).first()
    session.rollback()  # end the read, so no transaction stays open while waiting
    return found is not None


def _stale_before(stale_seconds: float):
    return utcnow() - timedelta(seconds=stale_seconds)


def _beat(file_id: int, attempt: str):
    """The heartbeat of one run, written on its own connection (the run's may be busy)."""
    engine = current_app.extensions["db_engine"]

    def beat() -> None:
        with Session(engine) as own:
            own.execute(
                update(DatasetFile)
                .where(DatasetFile.id == file_id, DatasetFile.attempt_id == attempt)
                .values(job_updated_at=utcnow())
            )
            own.commit()

    return beat


def _still_ours(session: Session, file_id: int, attempt: str) -> bool:
    """Start the recording transaction by touching the row (this also locks it until commit)."""
    return bool(
        session.execute(
            update(DatasetFile)
            .where(DatasetFile.id == file_id, DatasetFile.attempt_id == attempt)
            .values(job_updated_at=utcnow())
        ).rowcount
    )


def _fail(session: Session, file_id: int, attempt: str, reason: str) -> str:
    """Record a failure with its reason; whatever this run had written is rolled back first."""
    session.rollback()
    session.expire_all()
    if not _still_ours(session, file_id, attempt):
        session.rollback()
        return "given up: the file was deleted or another run took it"
    dataset_file = session.get(DatasetFile, file_id)
    before = {"format": dataset_file.format, "cycle_count": dataset_file.cycle_count}
    files.record_failure(session, dataset_file, reason)
    dataset_file.job_updated_at = utcnow()
    _audit(session, dataset_file, "dataset.file_ingest_failed", before, reason=reason)
    db.commit()
    return f"failed: {reason}"


def _audit(session: Session, dataset_file: DatasetFile, action: str, before: dict, **extra) -> None:
    record(
        session,
        action,
        session.get(Dataset, dataset_file.dataset_id),
        changes={
            "file_id": dataset_file.id,
            "job_id": dataset_file.job_id,
            "before": before,
            "after": {"format": dataset_file.format, "cycle_count": dataset_file.cycle_count},
            **extra,
        },
    )
