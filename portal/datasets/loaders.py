"""The datasets' object loaders: the record a route asks for, or 404 (never 403: slugs leak nothing).

Whether a user may see a dataset is the one rule in access.py; everything under a dataset (its
files, its grants) is reached through its dataset, so it shares that rule.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from flask import abort
from sqlmodel import select

from portal import db
from portal.datasets.access import visible_datasets_clause
from portal.datasets.access_requests import may_request
from portal.datasets.models import Dataset, DatasetFile, DatasetGrant
from portal.datasets.queries import MAX_SLUG_LENGTH

Part = TypeVar("Part", DatasetFile, DatasetGrant)


def visible_dataset(slug: str, for_user: Any, today: date | None = None) -> Dataset | None:
    """A dataset `for_user` may see, else None."""
    if not slug or len(slug) > MAX_SLUG_LENGTH:
        return None
    return (
        db.session()
        .exec(select(Dataset).where(Dataset.slug == slug, visible_datasets_clause(for_user, today)))
        .first()
    )


def get_dataset_or_404(slug: str, for_user: Any, today: date | None = None) -> Dataset:
    """A dataset `for_user` may see, else 404."""
    dataset = visible_dataset(slug, for_user, today)
    if dataset is None:
        abort(404)
    return dataset


def get_card_or_404(slug: str) -> Dataset:
    """A dataset whose public card staff chose to show (it takes access requests), else 404;
    a dataset without one stays invisible."""
    if not slug or len(slug) > MAX_SLUG_LENGTH:
        abort(404)
    dataset = db.session().exec(select(Dataset).where(Dataset.slug == slug)).first()
    if dataset is None or not may_request(dataset):
        abort(404)
    return dataset


def _part_of(dataset: Dataset, model: type[Part], part_id: int) -> Part:
    """A file or grant by id, only when it belongs to ``dataset`` (another's is a 404 too)."""
    part = db.session().get(model, part_id)
    if part is None or part.dataset_id != dataset.id:
        abort(404)
    return part


def get_file_or_404(slug: str, file_id: int, for_user: Any) -> tuple[Dataset, DatasetFile]:
    """A file of a dataset `for_user` may see, with its dataset, else 404."""
    dataset = get_dataset_or_404(slug, for_user)
    return dataset, _part_of(dataset, DatasetFile, file_id)


def get_grant_or_404(slug: str, grant_id: int, for_user: Any) -> tuple[Dataset, DatasetGrant]:
    """A grant of a dataset `for_user` may see (staff pages), with its dataset, else 404."""
    dataset = get_dataset_or_404(slug, for_user)
    return dataset, _part_of(dataset, DatasetGrant, grant_id)
