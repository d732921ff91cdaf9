"""What the feeds and the DCAT catalogue list: public records only, newest first."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, select

from portal.datasets.models import Dataset, DatasetFile
from portal.vocabulary import Visibility

FEED_ENTRIES = 50


def public_datasets(
    db: Session, limit: int | None = None
) -> list[tuple[Dataset, list[DatasetFile]]]:
    """Public datasets, most recently updated first, each with its files (two queries)."""
    statement = (
        select(Dataset)
        .where(Dataset.visibility == Visibility.PUBLIC)
        .order_by(Dataset.updated_at.desc())
    )
    datasets = list(db.exec(statement.limit(limit) if limit else statement).all())
    files: dict[int, list[DatasetFile]] = defaultdict(list)
    if datasets:
        for dataset_file in db.exec(
            select(DatasetFile)
            .where(DatasetFile.dataset_id.in_([d.id for d in datasets]))
            .order_by(DatasetFile.id)
        ).all():
            files[dataset_file.dataset_id].append(dataset_file)
    return [(dataset, files.get(dataset.id, [])) for dataset in datasets]
