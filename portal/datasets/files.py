"""A dataset's files: receive (spool, unpack, check, store), ingest and record the summary,
re-ingest, fail and delete.

A refused file leaves nothing behind: the upload is checked and ingested in a private temporary
folder and reaches the storage layer only once it is accepted; objects stored in a transaction
that later rolls back are deleted by the storage hooks.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import delete
from sqlmodel import Session

from portal import uploads
from portal.audit.services import record
from portal.datasets.conventions import convention_for
from portal.datasets.ingest import (
    IngestError,
    IngestResult,
    container_format,
    detect_format,
    ingest_file,
)
from portal.datasets.ingest.archive import extract_single_member
from portal.datasets.ingest.canonical import SUMMARY_KEYS
from portal.datasets.ingest.containers import ZIP_MAGIC
from portal.datasets.metadata import fill_from_file
from portal.datasets.models import CycleSummary, Dataset, DatasetFile
from portal.db import utcnow
from portal.errors import ServiceError
from portal.storage import key, storage
from portal.storage.transaction import delete_quietly
from portal.vocabulary import FileStatus

KIND = "datasets"  # storage keys are datasets/<stored_name> and datasets/<parquet_name>
MAX_ZIP_RATIO = 100
WHOLE_KEYS = frozenset({"cycle_index", "formation"})  # per-cycle keys that are not figures

# progress(percent done, rows read so far or None), as the command line and the job show it.
Progress = Callable[[int, int | None], None]


def _no_progress(_percent: int, _rows: int | None) -> None:
    return None


def new_name(suffix: str = "") -> str:
    """A fresh server-generated name for a dataset object (never the uploader's)."""
    return f"ds_{secrets.token_hex(16)}{suffix}"


def stored_key(name: str) -> str:
    """The storage key of a dataset file's original or Parquet name."""
    return key(KIND, name)


@dataclass(frozen=True)
class _Original:
    path: Path
    display_name: str
    sha256: str
    size_bytes: int


def receive_file(
    db: Session,
    dataset: Dataset,
    stream: BinaryIO,
    filename: str | None,
    *,
    actor=None,
    max_bytes: int | str | None = "upload",
) -> DatasetFile:
    """Check an upload, store the original and record the file as queued (a job ingests it).

    The same checks as `add_file` refuse at once with nothing stored: the size, archive bombs
    and `../` members, and content that is no known cycler format.
    """
    with _received(db, dataset, stream, filename, actor, max_bytes) as (dataset_file, _path):
        dataset_file.status = FileStatus.QUEUED
        _audit_added(db, dataset, dataset_file, actor)
    return dataset_file


def add_file(
    db: Session,
    dataset: Dataset,
    stream: BinaryIO,
    filename: str | None,
    *,
    actor=None,
    max_bytes: int | str | None = "upload",
    progress: Progress = _no_progress,
) -> DatasetFile:
    """Store an uploaded cycler file, ingest it now and record its summary; all or nothing.

    The command line, demo data and tests use it; the web upload queues a job instead
    (`receive_file`). Over `max_bytes` (by default PORTAL_MAX_UPLOAD_MB; None = no limit) → 413.
    Unknown content, archive bombs and unreadable files → a ServiceError with the reason, and
    nothing is stored.
    """
    written: list[str] = []
    with (
        _all_or_nothing(written),
        _received(db, dataset, stream, filename, actor, max_bytes) as (dataset_file, path),
        uploads.scratch_dir("portal-ingest-") as scratch,
    ):
        written.append(stored_key(dataset_file.stored_name))
        parquet = scratch / "table.parquet"
        result = ingest_file(
            path,
            parquet,
            convention=convention_for(dataset),
            progress=lambda done, rows: progress(round(done * 100), rows),
        )
        written.append(stored_key(parquet_name_for(dataset_file)))
        record_ingest(db, dataset_file, parquet, result)
        fill_from_file(db, dataset, dataset_file, actor=actor)
        _audit_added(db, dataset, dataset_file, actor)
        db.flush()
    progress(100, dataset_file.row_count)
    return dataset_file


@contextmanager
def _received(
    db: Session,
    dataset: Dataset,
    stream: BinaryIO,
    filename: str | None,
    actor,
    max_bytes: int | str | None,
) -> Iterator[tuple[DatasetFile, Path]]:
    """Spool and check an upload and add its record; yields it and the local file, then keeps the
    original in storage."""
    limit = uploads.max_upload_bytes() if max_bytes == "upload" else max_bytes
    written: list[str] = []
    with (
        _all_or_nothing(written),
        uploads.spool(stream, limit=limit) as spooled,
        uploads.scratch_dir("portal-ingest-") as scratch,
    ):
        original = _unpack_if_archive(
            spooled, uploads.display_name(filename), scratch, limit or uploads.max_upload_bytes()
        )
        detected = detect_format(original.path)  # unknown content is refused before storing
        stored_name = new_name()
        written.append(stored_key(stored_name))
        dataset_file = DatasetFile(
            dataset_id=dataset.id,
            original_filename=original.display_name,
            stored_name=stored_name,
            sha256=original.sha256,
            size_bytes=original.size_bytes,
            format=detected,
            uploaded_by_id=getattr(actor, "id", None),
        )
        db.add(dataset_file)
        dataset.updated_at = utcnow()
        db.add(dataset)
        db.flush()
        yield dataset_file, original.path
        # Kept last: a backend may move the local file into storage.
        uploads.keep(db, KIND, stored_name, original.path)


def _audit_added(db: Session, dataset: Dataset, dataset_file: DatasetFile, actor) -> None:
    record(
        db,
        "dataset.file_added",
        dataset,
        changes={
            "file_id": dataset_file.id,
            "original_filename": dataset_file.original_filename,
            "sha256": dataset_file.sha256,
            "size_bytes": dataset_file.size_bytes,
            "format": dataset_file.format,
            "status": dataset_file.status,
            "cycle_count": dataset_file.cycle_count,
        },
        actor=actor,
    )


def parquet_name_for(dataset_file: DatasetFile) -> str:
    """Where a new ingest of this file writes its table: always the same name for the same file
    (so a job run twice overwrites rather than leaves an orphan), never the name in use now."""
    primary, alternate = _job_parquet_names(dataset_file)
    return alternate if dataset_file.parquet_name == primary else primary


def record_ingest(
    db: Session, dataset_file: DatasetFile, parquet: Path, result: IngestResult
) -> None:
    """Keep a freshly written table and replace the file's summary by its result (never adds)."""
    parquet_name = parquet_name_for(dataset_file)
    uploads.keep(db, KIND, parquet_name, parquet)
    old_parquet = dataset_file.parquet_name
    db.exec(delete(CycleSummary).where(CycleSummary.dataset_file_id == dataset_file.id))
    _apply_result(db, dataset_file, parquet_name, result)
    uploads.forget_after_commit(db, KIND, old_parquet)


def record_failure(db: Session, dataset_file: DatasetFile, reason: str) -> None:
    """Mark a file failed with its reason: only the original stays (for Retry), nothing derived."""
    uploads.forget_after_commit(db, KIND, dataset_file.parquet_name)
    db.exec(delete(CycleSummary).where(CycleSummary.dataset_file_id == dataset_file.id))
    dataset_file.status = FileStatus.FAILED
    dataset_file.error_message = reason
    dataset_file.parquet_name = None
    dataset_file.row_count = None
    dataset_file.cycle_count = None
    dataset_file.reference_capacity_ah = None
    dataset_file.reference_rule = ""
    dataset_file.cycles_to_80_soh = None
    dataset_file.flags = []
    dataset_file.warnings = []
    dataset_file.capacity_series = {}
    dataset_file.voltage_preview = {}
    dataset_file.ingested_at = None
    db.add(dataset_file)
    db.flush()


def reingest_file(db: Session, dataset_file: DatasetFile, *, actor=None) -> DatasetFile:
    """Read the stored original again now (after a reader fix); on failure nothing changes."""
    written: list[str] = []
    with _all_or_nothing(written), uploads.scratch_dir("portal-ingest-") as scratch:
        parquet = scratch / "table.parquet"
        convention = convention_for(_dataset_of(db, dataset_file))
        try:
            with storage().local_path(stored_key(dataset_file.stored_name)) as source:
                result = ingest_file(source, parquet, convention=convention)
        except FileNotFoundError as missing:
            raise ServiceError(_("The stored original of this file is missing.")) from missing
        written.append(stored_key(parquet_name_for(dataset_file)))
        before = {"format": dataset_file.format, "cycle_count": dataset_file.cycle_count}
        record_ingest(db, dataset_file, parquet, result)
    record(
        db,
        "dataset.file_reingested",
        _dataset_of(db, dataset_file),
        changes={
            "file_id": dataset_file.id,
            "before": before,
            "after": {"format": dataset_file.format, "cycle_count": dataset_file.cycle_count},
        },
        actor=actor,
    )
    return dataset_file


def delete_file(db: Session, dataset_file: DatasetFile, *, actor=None) -> None:
    """Remove a file, its Parquet and summary (from storage once the delete commits)."""
    dataset = _dataset_of(db, dataset_file)
    record(
        db,
        "dataset.file_deleted",
        dataset,
        changes={"file_id": dataset_file.id, "original_filename": dataset_file.original_filename},
        actor=actor,
    )
    forget_file(db, dataset_file)
    db.flush()


def forget_file(db: Session, dataset_file: DatasetFile) -> None:
    """Delete a file's record and summary rows; its objects go from storage once that commits."""
    # Both names a job may be writing to, in case one is recording while the file is deleted.
    uploads.forget_after_commit(
        db,
        KIND,
        dataset_file.stored_name,
        dataset_file.parquet_name,
        *_job_parquet_names(dataset_file),
    )
    db.exec(delete(CycleSummary).where(CycleSummary.dataset_file_id == dataset_file.id))
    db.delete(dataset_file)


def _job_parquet_names(dataset_file: DatasetFile) -> tuple[str, str]:
    return f"{dataset_file.stored_name}.parquet", f"{dataset_file.stored_name}.b.parquet"


def _dataset_of(db: Session, dataset_file: DatasetFile) -> Dataset:
    return db.get(Dataset, dataset_file.dataset_id)


@contextmanager
def _all_or_nothing(written: list[str]) -> Iterator[None]:
    """Delete the objects stored so far when the block fails; an unreadable file is a refusal."""
    try:
        yield
    except IngestError as error:
        _remove(written)
        raise ServiceError(error.message) from error
    except BaseException:
        _remove(written)
        raise


def _remove(keys: list[str]) -> None:
    store = storage()
    for stored in keys:
        delete_quietly(store, stored)


def _unpack_if_archive(
    spooled: uploads.Spooled, name: str, scratch: Path, max_bytes: int
) -> _Original:
    """A .zip upload is replaced by its single member; bombs and `../` members are refused."""
    path = spooled.path
    as_is = _Original(path, name, spooled.sha256, spooled.size_bytes)
    with open(path, "rb") as handle:
        if handle.read(4) != ZIP_MAGIC:
            return as_is
    if container_format(path) is not None:
        return as_is  # a zip inside (.ndax, .xlsx) is one file, not an archive
    member = extract_single_member(
        path, scratch, max_uncompressed_bytes=max_bytes, max_ratio=MAX_ZIP_RATIO
    )
    with open(member, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    display = uploads.display_name(_member_name(path) or name)
    return _Original(member, display, digest, member.stat().st_size)


def _member_name(zip_path: Path) -> str | None:
    """The name of the data file inside an archive (the largest member; archivers' junk is tiny)."""
    with zipfile.ZipFile(zip_path) as archive:
        files = [info for info in archive.infolist() if not info.is_dir()]
    return max(files, key=lambda info: info.file_size).filename if files else None


def _apply_result(
    db: Session, dataset_file: DatasetFile, parquet_name: str, result: IngestResult
) -> None:
    """Copy an ingest result onto the file record and bulk-insert its cycle rows."""
    dataset_file.format = result.format
    dataset_file.status = FileStatus.INGESTED
    dataset_file.error_message = ""
    dataset_file.parquet_name = parquet_name
    dataset_file.row_count = int(result.row_count)
    dataset_file.cycle_count = len(result.cycles)
    dataset_file.reference_capacity_ah = _finite(result.reference_capacity_ah)
    dataset_file.reference_rule = (result.reference_rule or "")[:300]
    dataset_file.cycles_to_80_soh = result.cycles_to_80_soh
    dataset_file.soh_status = result.soh_status
    dataset_file.convention = (result.convention or "")[:300]
    dataset_file.flags = [str(flag)[:500] for flag in result.flags]
    dataset_file.warnings = json_safe(result.warnings)
    dataset_file.test_metadata = json_safe(dict(result.metadata))
    dataset_file.capacity_series = json_safe(result.capacity_series)
    dataset_file.voltage_preview = json_safe(result.voltage_preview)
    dataset_file.ingested_at = utcnow()
    db.add(dataset_file)
    db.flush()
    rows = [
        {
            "dataset_file_id": dataset_file.id,
            **{key: _finite(cycle.get(key)) for key in SUMMARY_KEYS if key not in WHOLE_KEYS},
            "cycle_index": int(cycle["cycle_index"]),
            "formation": bool(cycle.get("formation")),
        }
        for cycle in result.cycles
    ]
    if rows:
        # One executemany instead of a thousand ORM objects.
        db.connection().execute(CycleSummary.__table__.insert(), rows)


def _finite(value):
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def json_safe(value):
    """Replace NaN and infinities by None (PostgreSQL's json type and browsers refuse them)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value
