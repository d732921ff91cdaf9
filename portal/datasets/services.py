"""Every write about datasets, their files, summaries and grants (flushes, never commits).

A refused file leaves nothing behind: the service deletes what it wrote before raising, and
files written in a transaction that later rolls back are deleted by the storage hooks.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from flask_babel import gettext as _
from sqlalchemy import delete, func
from sqlmodel import Session, select

from portal.accounts.models import Organization
from portal.accounts.services import SLUG_PATTERN
from portal.agreements.models import Agreement
from portal.audit.services import diff, record
from portal.datasets import storage
from portal.datasets.ingest import IngestError, IngestResult, container_format, ingest_file
from portal.datasets.ingest.archive import extract_single_member
from portal.datasets.models import (
    CHEMISTRIES,
    SUMMARY_FIELDS,
    TEST_TYPES,
    CycleSummary,
    Dataset,
    DatasetFile,
    DatasetGrant,
    FileStatus,
    Visibility,
)
from portal.db import utcnow
from portal.errors import ConflictError, ServiceError

RESERVED_SLUGS = {"compare", "new", "admin"}
ZIP_MAGIC = b"PK\x03\x04"
MAX_ZIP_RATIO = 100
DATASET_FIELDS = (
    "title",
    "description",
    "technology_id",
    "chemistry",
    "cell_format",
    "nominal_capacity_ah",
    "test_type",
    "temperature_c",
    "visibility",
    "licence_terms",
    "attribution",
)

Progress = Callable[[str], None]


def _no_progress(_stage: str) -> None:
    return None


# --- datasets --------------------------------------------------------------------------------


def _check_fields(fields: dict[str, Any]) -> None:
    if "title" in fields and not str(fields["title"] or "").strip():
        raise ServiceError(_("Give the dataset a title."))
    if fields.get("visibility", Visibility.RESTRICTED) not in set(Visibility):
        raise ServiceError(_("Choose public, partners or restricted."))
    if fields.get("chemistry", "other") not in CHEMISTRIES:
        raise ServiceError(_("Choose a known chemistry."))
    if fields.get("test_type", "cycle_life") not in TEST_TYPES:
        raise ServiceError(_("Choose a known test type."))
    capacity = fields.get("nominal_capacity_ah")
    if capacity is not None and not (capacity > 0 and math.isfinite(capacity)):
        raise ServiceError(_("The nominal capacity must be a positive number of ampere-hours."))


def create_dataset(
    db: Session, *, slug: str, actor=None, is_demo: bool = False, **fields
) -> Dataset:
    """Create a dataset; the slug must be unique, URL-safe and not a reserved word."""
    slug = (slug or "").strip().lower()
    if not SLUG_PATTERN.match(slug) or len(slug) > 80 or slug in RESERVED_SLUGS:
        raise ServiceError(
            "The short name may use lower-case letters, digits and hyphens only (and not "
            "“compare”, “new” or “admin”)."
        )
    fields = {key: value for key, value in fields.items() if key in DATASET_FIELDS}
    _check_fields(fields)
    if db.exec(select(Dataset.id).where(Dataset.slug == slug)).first() is not None:
        raise ServiceError(_("A dataset with the short name “%(slug)s” already exists.", slug=slug))
    dataset = Dataset(
        slug=slug, is_demo=is_demo, created_by_id=getattr(actor, "id", None), **fields
    )
    db.add(dataset)
    db.flush()
    record(db, "dataset.created", dataset, changes={"slug": slug, **fields}, actor=actor)
    return dataset


def update_dataset(db: Session, dataset: Dataset, *, version: int, actor=None, **fields) -> Dataset:
    """Change a dataset's description; a stale form (another save in between) is a conflict."""
    if int(version) != dataset.version:
        raise ConflictError()
    fields = {key: value for key, value in fields.items() if key in DATASET_FIELDS}
    _check_fields(fields)
    before = dataset.model_dump()
    for key, value in fields.items():
        setattr(dataset, key, value)
    dataset.version += 1
    dataset.updated_at = utcnow()
    db.add(dataset)
    db.flush()
    changes = diff(before, dataset.model_dump(include=set(DATASET_FIELDS)))
    record(db, "dataset.updated", dataset, changes=changes, actor=actor)
    return dataset


def delete_dataset(db: Session, dataset: Dataset, *, actor=None) -> None:
    """Delete a dataset, its files (from disk once committed), summaries and grants."""
    files = db.exec(select(DatasetFile).where(DatasetFile.dataset_id == dataset.id)).all()
    for dataset_file in files:
        _forget_file(db, dataset_file)
    db.exec(delete(DatasetGrant).where(DatasetGrant.dataset_id == dataset.id))
    record(
        db,
        "dataset.deleted",
        dataset,
        changes={"slug": dataset.slug, "files": [f.original_filename for f in files]},
        actor=actor,
    )
    db.delete(dataset)
    db.flush()


# --- files -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Original:
    stored: storage.StoredFile
    display_name: str


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
    """Store an uploaded cycler file, ingest it and record its summary; all or nothing.

    Over `max_bytes` (by default PORTAL_MAX_UPLOAD_MB; None = no limit) → 413. Unknown content, archive bombs and unreadable files → a
    ServiceError with the reason, and every file written so far is deleted.
    """
    written: list[str] = []
    try:
        limit = storage.max_upload_bytes() if max_bytes == "upload" else max_bytes
        stored = storage.save_stream(db, stream, limit=limit)
        written.append(stored.name)
        progress("stored")
        original = _unpack_if_archive(
            db, stored, storage.display_name(filename), written, limit or storage.max_upload_bytes()
        )
        progress("checked")
        parquet_name, result = _ingest(db, original.stored.name, written)
        progress("ingested")
    except IngestError as error:
        _remove(written)
        raise ServiceError(error.message) from error
    except BaseException:
        _remove(written)
        raise

    dataset_file = DatasetFile(
        dataset_id=dataset.id,
        original_filename=original.display_name,
        stored_name=original.stored.name,
        sha256=original.stored.sha256,
        size_bytes=original.stored.size_bytes,
        uploaded_by_id=getattr(actor, "id", None),
    )
    try:
        _apply_result(db, dataset_file, parquet_name, result)
        dataset.updated_at = utcnow()
        db.add(dataset)
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
                "cycle_count": dataset_file.cycle_count,
            },
            actor=actor,
        )
        db.flush()
    except BaseException:
        _remove(written)
        raise
    progress("recorded")
    return dataset_file


def reingest_file(db: Session, dataset_file: DatasetFile, *, actor=None) -> DatasetFile:
    """Read the stored original again (after a reader fix); on failure nothing changes."""
    written: list[str] = []
    try:
        parquet_name, result = _ingest(db, dataset_file.stored_name, written)
    except IngestError as error:
        _remove(written)
        raise ServiceError(error.message) from error
    except BaseException:
        _remove(written)
        raise
    old_parquet = dataset_file.parquet_name
    before = {"format": dataset_file.format, "cycle_count": dataset_file.cycle_count}
    db.exec(delete(CycleSummary).where(CycleSummary.dataset_file_id == dataset_file.id))
    _apply_result(db, dataset_file, parquet_name, result)
    storage.remove_after_commit(db, old_parquet)
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
    """Remove a file, its Parquet and summary (from disk once the delete commits)."""
    dataset = _dataset_of(db, dataset_file)
    record(
        db,
        "dataset.file_deleted",
        dataset,
        changes={"file_id": dataset_file.id, "original_filename": dataset_file.original_filename},
        actor=actor,
    )
    _forget_file(db, dataset_file)
    db.flush()


def _forget_file(db: Session, dataset_file: DatasetFile) -> None:
    storage.remove_after_commit(db, dataset_file.stored_name, dataset_file.parquet_name)
    db.exec(delete(CycleSummary).where(CycleSummary.dataset_file_id == dataset_file.id))
    db.delete(dataset_file)


def _dataset_of(db: Session, dataset_file: DatasetFile) -> Dataset:
    return db.get(Dataset, dataset_file.dataset_id)


def _remove(names: list[str]) -> None:
    for name in names:
        storage.remove_now(name)


def _unpack_if_archive(
    db: Session, stored: storage.StoredFile, name: str, written: list[str], max_bytes: int
) -> _Original:
    """A .zip upload is replaced by its single member; bombs and `../` members are refused."""
    path = storage.path_for(stored.name)
    with open(path, "rb") as handle:
        if handle.read(4) != ZIP_MAGIC:
            return _Original(stored, name)
    if container_format(path) is not None:
        return _Original(stored, name)  # a zip inside (.ndax, .xlsx) is one file, not an archive
    scratch = Path(tempfile.mkdtemp(prefix="unzip_", dir=storage.data_dir()))
    try:
        member = extract_single_member(
            path,
            scratch,
            max_uncompressed_bytes=max_bytes,
            max_ratio=MAX_ZIP_RATIO,
        )
        adopted = storage.adopt(db, member)
        written.append(adopted.name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    member_name = _member_name(path) or name
    storage.remove_now(stored.name)
    written.remove(stored.name)
    return _Original(adopted, storage.display_name(member_name))


def _member_name(zip_path: Path) -> str | None:
    """The name of the data file inside an archive (the largest member; archivers' junk is tiny)."""
    with zipfile.ZipFile(zip_path) as archive:
        files = [info for info in archive.infolist() if not info.is_dir()]
    return max(files, key=lambda info: info.file_size).filename if files else None


def _ingest(db: Session, stored_name: str, written: list[str]) -> tuple[str, IngestResult]:
    parquet_name = storage.new_name(".parquet")
    written.append(parquet_name)
    storage.remove_on_rollback(db, parquet_name)
    result = ingest_file(storage.path_for(stored_name), storage.path_for(parquet_name))
    return parquet_name, result


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
    dataset_file.flags = [str(flag)[:500] for flag in result.flags]
    dataset_file.capacity_series = json_safe(result.capacity_series)
    dataset_file.voltage_preview = json_safe(result.voltage_preview)
    dataset_file.ingested_at = utcnow()
    db.add(dataset_file)
    db.flush()
    rows = [
        {
            "dataset_file_id": dataset_file.id,
            **{key: _finite(cycle.get(key)) for key in SUMMARY_FIELDS if key != "cycle_index"},
            "cycle_index": int(cycle["cycle_index"]),
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


# --- grants ----------------------------------------------------------------------------------


def grant_access(
    db: Session,
    dataset: Dataset,
    *,
    organization_id: int,
    agreement_id: int | None = None,
    expires_on: date | None = None,
    today: date | None = None,
    actor=None,
) -> DatasetGrant:
    """Open a dataset to an organisation, optionally under one of its agreements, until a date."""
    today = today or date.today()
    organization = db.get(Organization, organization_id) if organization_id else None
    if organization is None:
        raise ServiceError(_("Choose an organisation."))
    if agreement_id:
        agreement = db.get(Agreement, agreement_id)
        if agreement is None or agreement.organization_id != organization.id:
            raise ServiceError(_("The agreement must be one of that organisation's agreements."))
    if expires_on is not None and expires_on < today:
        raise ServiceError(_("The expiry date is in the past."))
    grant = DatasetGrant(
        dataset_id=dataset.id,
        organization_id=organization.id,
        agreement_id=agreement_id or None,
        expires_on=expires_on,
        granted_by_id=getattr(actor, "id", None),
    )
    db.add(grant)
    db.flush()
    record(
        db,
        "dataset.granted",
        dataset,
        changes={
            "grant_id": grant.id,
            "organization": organization.slug,
            "agreement_id": grant.agreement_id,
            "expires_on": expires_on,
        },
        actor=actor,
    )
    return grant


def revoke_grant(db: Session, grant: DatasetGrant, *, actor=None) -> DatasetGrant:
    """End a grant now (it stays listed, marked revoked)."""
    if grant.revoked_at is not None:
        raise ServiceError(_("This grant is already revoked."))
    grant.revoked_at = utcnow()
    db.add(grant)
    db.flush()
    record(
        db,
        "dataset.grant_revoked",
        db.get(Dataset, grant.dataset_id),
        changes={"grant_id": grant.id, "organization_id": grant.organization_id},
        actor=actor,
    )
    return grant


# --- downloads -------------------------------------------------------------------------------


def record_download(db: Session, dataset: Dataset, dataset_file: DatasetFile, form: str) -> None:
    """Note who downloaded which file in which form (the audit log is the download log)."""
    record(
        db,
        "dataset.downloaded",
        dataset,
        changes={
            "file_id": dataset_file.id,
            "original_filename": dataset_file.original_filename,
            "form": form,
        },
    )


def file_counts(db: Session, dataset_ids: list[int]) -> dict[int, int]:
    """How many files each dataset has, in one query."""
    if not dataset_ids:
        return {}
    rows = db.exec(
        select(DatasetFile.dataset_id, func.count())
        .where(DatasetFile.dataset_id.in_(dataset_ids))
        .group_by(DatasetFile.dataset_id)
    ).all()
    return {dataset_id: count for dataset_id, count in rows}
