"""Every write about a dataset's description: create, edit, delete, and the download log
(flushes, never commits). Its files have a room of their own (files.py), so do grants (grants.py).
"""

from __future__ import annotations

import math
import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete
from sqlmodel import Session, select

from portal.audit.services import record
from portal.changes import add_audited, apply_changes, check_version, delete_audited
from portal.datasets import files
from portal.datasets.models import Dataset, DatasetFields, DatasetFile, DatasetGrant
from portal.db import taken
from portal.errors import ServiceError
from portal.fields import SLUG_PATTERN, field_names
from portal.vocabulary import CellType, Chemistry, FileStatus, TestType, Visibility

RESERVED_SLUGS = {"compare", "new", "admin"}
# Fields the files are read with: changing one reads every ingested file again.
READING_FIELDS = frozenset({"cell_type", "formation_cycles", "chemistry"})
MAX_SLUG_LENGTH = 80
_SLUG = re.compile(SLUG_PATTERN)
# What staff may set: the declared fields, and the technology the data backs. The short name is
# chosen once, at creation: addresses and API clients rely on it.
EDITABLE = (frozenset(field_names(DatasetFields)) - {"slug"}) | {"technology_id"}


def _check_fields(fields: dict[str, Any]) -> None:
    if "title" in fields and not str(fields["title"] or "").strip():
        raise ServiceError(_("Give the dataset a title."))
    if fields.get("visibility", Visibility.RESTRICTED) not in Visibility.values():
        raise ServiceError(_("Choose public, partners or restricted."))
    if fields.get("chemistry", Chemistry.OTHER) not in Chemistry.values():
        raise ServiceError(_("Choose a known chemistry."))
    if fields.get("test_type", TestType.CYCLE_LIFE) not in TestType.values():
        raise ServiceError(_("Choose a known test type."))
    if fields.get("cell_type", CellType.FULL) not in CellType.values():
        raise ServiceError(_("Choose a known cell type."))
    formation = fields.get("formation_cycles")
    if formation is not None and not (isinstance(formation, int) and 0 <= formation <= 1000):
        raise ServiceError(_("Formation cycles must be a whole number from 0 to 1000."))
    capacity = fields.get("nominal_capacity_ah")
    if capacity is not None and not (capacity > 0 and math.isfinite(capacity)):
        raise ServiceError(_("The nominal capacity must be a positive number of ampere-hours."))


def _editable(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if key in EDITABLE}


def create_dataset(
    db: Session, *, slug: str, actor=None, is_demo: bool = False, **fields
) -> Dataset:
    """Create a dataset; the slug must be unique, URL-safe and not a reserved word."""
    slug = (slug or "").strip().lower()
    if not _SLUG.match(slug) or len(slug) > MAX_SLUG_LENGTH or slug in RESERVED_SLUGS:
        raise ServiceError(
            _(
                "The short name may use lower-case letters, digits and hyphens only (and not "
                "“compare”, “new” or “admin”)."
            )
        )
    fields = _editable(fields)
    _check_fields(fields)
    if taken(db, Dataset, slug=slug):
        raise ServiceError(_("A dataset with the short name “%(slug)s” already exists.", slug=slug))
    dataset = Dataset(
        slug=slug, is_demo=is_demo, created_by_id=getattr(actor, "id", None), **fields
    )
    return add_audited(
        db, dataset, "dataset.created", changes={"slug": slug, **fields}, actor=actor
    )


def update_dataset(
    db: Session, dataset: Dataset, *, version: int | str | None, actor=None, **fields
) -> Dataset:
    """Change a dataset's description; a stale or missing version is a conflict."""
    check_version(dataset, version)
    fields = _editable(fields)
    _check_fields(fields)
    rereads = any(
        getattr(dataset, name) != value for name, value in fields.items() if name in READING_FIELDS
    )
    apply_changes(
        db,
        dataset,
        fields,
        allowed=EDITABLE,
        version=version,
        action="dataset.updated",
        actor=actor,
    )
    if rereads:
        reread_files(db, dataset, actor=actor)
    return dataset


def reread_files(db: Session, dataset: Dataset, *, actor=None) -> None:
    """Ingest every ingested file of a dataset again under its current cell type."""
    ingested = db.exec(
        select(DatasetFile).where(
            DatasetFile.dataset_id == dataset.id, DatasetFile.status == FileStatus.INGESTED
        )
    ).all()
    for dataset_file in ingested:
        files.reingest_file(db, dataset_file, actor=actor)


def delete_dataset(db: Session, dataset: Dataset, *, actor=None) -> None:
    """Delete a dataset, its files (from disk once committed), summaries and grants."""
    dataset_files = db.exec(select(DatasetFile).where(DatasetFile.dataset_id == dataset.id)).all()
    for dataset_file in dataset_files:
        files.forget_file(db, dataset_file)
    db.exec(delete(DatasetGrant).where(DatasetGrant.dataset_id == dataset.id))
    delete_audited(
        db,
        dataset,
        "dataset.deleted",
        changes={"slug": dataset.slug, "files": [f.original_filename for f in dataset_files]},
        actor=actor,
    )


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
