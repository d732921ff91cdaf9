"""What the dataset pages, panels, the API and the CLI read: filtered lists, a dataset's parts,
choice lists. Every list of datasets is restricted by the one visibility rule (access.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func
from sqlmodel import Session, select

from portal.accounts.models import Organization
from portal.agreements.models import Agreement
from portal.agreements.status import effective_status
from portal.catalog.models import Technology
from portal.datasets.access import shared_with_clause, visible_datasets_clause
from portal.datasets.models import CycleSummary, Dataset, DatasetFile, DatasetGrant
from portal.db import children
from portal.queryargs import QueryArgs, known, one, param, repeated
from portal.textmatch import clean_search, contains
from portal.vocabulary import AgreementStatus, CellType, Chemistry, FileStatus, TestType, Visibility

MAX_SLUG_LENGTH = 80
MAX_TECHNOLOGY_SLUG = 120
MAX_CHOICES = 200


# --- the public list -------------------------------------------------------------------------


MAX_FACET_VALUES = 20
MAX_FACET_TEXT = 120


def _distinct(allowed: Sequence[str] | None = None):
    """A facet's ticked values: each once, cut to length (known codes only when ``allowed``)."""

    def pick(raw: list) -> tuple[str, ...]:
        values: list[str] = []
        for item in raw:
            value = str(item or "").strip()[:MAX_FACET_TEXT]
            if value and value not in values and (allowed is None or value in allowed):
                values.append(value)
        return tuple(values[:MAX_FACET_VALUES])

    return param(repeated(pick), ())


@dataclass(frozen=True)
class DatasetFilters(QueryArgs):
    """The list page's filters, read from query parameters without trusting them."""

    q: str = param(one(clean_search))
    chemistry: str = param(known(Chemistry.values()))
    technology: str = param(one(lambda raw: str(raw or "").strip()[:MAX_TECHNOLOGY_SLUG]))
    test_type: str = param(known(TestType.values()))
    # Facets, like the catalog's: any of the ticked values.
    cell_type: tuple[str, ...] = _distinct(CellType.values())
    cathode: tuple[str, ...] = _distinct()
    anode: tuple[str, ...] = _distinct()
    cycler: tuple[str, ...] = _distinct()


# The facets of the list, each a dataset column counted under the other filters.
FACETS = {
    "cell_type": Dataset.cell_type,
    "cathode": Dataset.cathode,
    "anode": Dataset.anode,
    "cycler": Dataset.cycler,
}


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet: how many visible datasets have it, and whether it is ticked."""

    value: str
    count: int
    selected: bool


def technology_choices(session: Session, user: Any, today: date) -> list:
    """Public technologies behind the datasets ``user`` may see: (id, slug, title, title_hi)."""
    return list(
        session.exec(
            select(Technology.id, Technology.slug, Technology.title, Technology.title_hi)
            .where(
                Technology.id.in_(
                    select(Dataset.technology_id).where(visible_datasets_clause(user, today))
                ),
                Technology.is_published,
                Technology.is_archived.is_(False),
            )
            .order_by(Technology.title)
        ).all()
    )


def datasets_query(
    filters: DatasetFilters, user: Any, today: date, technology_id: int | None = None
) -> Select:
    """The datasets ``user`` may see that match the filters, by title."""
    query = select(Dataset).where(visible_datasets_clause(user, today))
    if filters.q:
        query = query.where(
            contains(filters.q, Dataset.title, Dataset.title_hi, Dataset.cell_format)
        )
    if filters.chemistry:
        query = query.where(Dataset.chemistry == filters.chemistry)
    if filters.test_type:
        query = query.where(Dataset.test_type == filters.test_type)
    if technology_id is not None:
        query = query.where(Dataset.technology_id == technology_id)
    query = query.where(*_facet_conditions(filters))
    return query.order_by(Dataset.title, Dataset.id)


def _facet_conditions(filters: DatasetFilters, exclude: str | None = None) -> list:
    return [
        column.in_(getattr(filters, name))
        for name, column in FACETS.items()
        if name != exclude and getattr(filters, name)
    ]


def facet_counts(
    session: Session,
    filters: DatasetFilters,
    user: Any,
    today: date,
    technology_id: int | None = None,
) -> dict[str, list[FacetValue]]:
    """Per facet, its values among the datasets matching every OTHER filter, with counts."""
    base = datasets_query(
        DatasetFilters(q=filters.q, chemistry=filters.chemistry, test_type=filters.test_type),
        user,
        today,
        technology_id,
    ).whereclause
    facets: dict[str, list[FacetValue]] = {}
    for name, column in FACETS.items():
        query = (
            select(column, func.count())
            .where(base, *_facet_conditions(filters, exclude=name), column != "")
            .group_by(column)
            .order_by(column)
            .limit(MAX_CHOICES)
        )
        chosen = getattr(filters, name)
        found = {str(value): count for value, count in session.exec(query).all()}
        for value in chosen:  # a ticked value stays visible even when nothing matches now
            found.setdefault(value, 0)
        facets[name] = [FacetValue(v, n, v in chosen) for v, n in sorted(found.items())]
    return facets


def visible_query(user: Any, today: date) -> Select:
    """Every dataset ``user`` may see, by title (the API list)."""
    return (
        select(Dataset)
        .where(visible_datasets_clause(user, today))
        .order_by(Dataset.title, Dataset.id)
    )


def file_counts(session: Session, dataset_ids: list[int]) -> dict[int, int]:
    """How many files each dataset has, in one query."""
    if not dataset_ids:
        return {}
    rows = session.exec(
        select(DatasetFile.dataset_id, func.count())
        .where(DatasetFile.dataset_id.in_(dataset_ids))
        .group_by(DatasetFile.dataset_id)
    ).all()
    return {dataset_id: count for dataset_id, count in rows}


def technology_slugs(session: Session, datasets: list[Dataset]) -> dict[int, str]:
    """{technology id: slug} of the public technologies these datasets point to."""
    ids = {d.technology_id for d in datasets if d.technology_id}
    if not ids:
        return {}
    rows = session.exec(
        select(Technology.id, Technology.slug).where(
            Technology.id.in_(ids), Technology.is_published, Technology.is_archived.is_(False)
        )
    ).all()
    return dict(rows)


# --- comparing datasets ----------------------------------------------------------------------


def compare_options(session: Session, user: Any, today: date) -> list:
    """(slug, title, title_hi) of the datasets ``user`` may overlay, by title."""
    return list(
        session.exec(
            select(Dataset.slug, Dataset.title, Dataset.title_hi)
            .where(visible_datasets_clause(user, today))
            .order_by(Dataset.title)
            .limit(MAX_CHOICES)
        ).all()
    )


def visible_by_slug(session: Session, slugs: list[str], user: Any, today: date) -> list[Dataset]:
    """The datasets with these slugs that ``user`` may see, in the order of ``slugs``."""
    if not slugs:
        return []
    rows = session.exec(
        select(Dataset).where(Dataset.slug.in_(slugs), visible_datasets_clause(user, today))
    ).all()
    by_slug = {d.slug: d for d in rows}
    return [by_slug[s] for s in slugs if s in by_slug]


def first_ingested_files(session: Session, dataset_ids: list[int]) -> dict[int, DatasetFile]:
    """The first ingested file of each dataset (by upload order)."""
    if not dataset_ids:
        return {}
    rows = session.exec(
        select(DatasetFile)
        .where(DatasetFile.dataset_id.in_(dataset_ids), DatasetFile.status == FileStatus.INGESTED)
        .order_by(DatasetFile.id)
    ).all()
    first: dict[int, DatasetFile] = {}
    for row in rows:
        first.setdefault(row.dataset_id, row)
    return first


def compare_rows(
    session: Session, file_ids: list[int], cycles: list[int]
) -> dict[int, list[CycleSummary]]:
    """The chosen cycles' summary rows of each file, by cycle (one statement)."""
    if not file_ids or not cycles:
        return {}
    rows = session.exec(
        select(CycleSummary)
        .where(CycleSummary.dataset_file_id.in_(file_ids), CycleSummary.cycle_index.in_(cycles))
        .order_by(CycleSummary.dataset_file_id, CycleSummary.cycle_index)
    ).all()
    grouped: dict[int, list[CycleSummary]] = {}
    for row in rows:
        grouped.setdefault(row.dataset_file_id, []).append(row)
    return grouped


# --- one dataset -----------------------------------------------------------------------------


def dataset_by_slug(session: Session, slug: str) -> Dataset | None:
    """The dataset with this slug, whoever asks (the CLI and loaders apply their own rules)."""
    if not slug or len(slug) > MAX_SLUG_LENGTH:
        return None
    return session.exec(select(Dataset).where(Dataset.slug == slug)).first()


def files_of(session: Session, dataset: Dataset) -> list[DatasetFile]:
    """A dataset's files in upload order."""
    return children(session, DatasetFile.dataset_id, dataset.id, DatasetFile.id)


def cycles_query(dataset_file: DatasetFile) -> Select:
    """The per-cycle rows of one file, by cycle number."""
    return (
        select(CycleSummary)
        .where(CycleSummary.dataset_file_id == dataset_file.id)
        .order_by(CycleSummary.cycle_index)
    )


def linked_technology(session: Session, dataset: Dataset, user: Any) -> Technology | None:
    """The technology a dataset backs, when ``user`` may see it (unpublished ones: staff only)."""
    if dataset.technology_id is None:
        return None
    technology = session.get(Technology, dataset.technology_id)
    if technology is None or not (technology.is_public or getattr(user, "is_staff", False)):
        return None
    return technology


# --- panels on other domains' pages ----------------------------------------------------------


def _first_datasets(session: Session, where, order, limit: int) -> list[Dataset]:
    query = select(Dataset).where(*where).order_by(order).limit(limit)
    return list(session.exec(query).all())


def public_datasets_of(session: Session, technology_id: int, limit: int) -> list[Dataset]:
    """Public datasets behind a technology, by title."""
    where = (Dataset.technology_id == technology_id, Dataset.visibility == Visibility.PUBLIC)
    return _first_datasets(session, where, Dataset.title, limit)


def shared_with(session: Session, user: Any, today: date, limit: int) -> list[Dataset]:
    """Non-public datasets a partner may open, most recently updated first."""
    where = (shared_with_clause(user, today),)
    return _first_datasets(session, where, Dataset.updated_at.desc(), limit)


def visible_datasets(session: Session, user: Any, today: date, limit: int) -> list[Dataset]:
    """The datasets ``user`` may see, by title, at most ``limit``."""
    where = (visible_datasets_clause(user, today),)
    return _first_datasets(session, where, Dataset.title, limit)


# --- staff -----------------------------------------------------------------------------------


def admin_datasets_query(q: str) -> Select:
    """Every dataset, most recently updated first; ``q`` matches a title (English or Hindi) or
    the short name."""
    query = select(Dataset)
    if q:
        query = query.where(contains(q, Dataset.title, Dataset.title_hi, Dataset.slug))
    return query.order_by(Dataset.updated_at.desc(), Dataset.id.desc())


def technology_titles(session: Session) -> list:
    """(id, title) of every technology, by title (the dataset form's choice)."""
    return list(session.exec(select(Technology.id, Technology.title).order_by(Technology.title)))


def organization_names(session: Session) -> list:
    """(id, name) of every organisation, by name (the grant form's choice)."""
    return list(
        session.exec(select(Organization.id, Organization.name).order_by(Organization.name))
    )


def agreement_references(session: Session) -> list:
    """(id, reference, organisation name) of every agreement (the grant form's choice)."""
    return list(
        session.exec(
            select(Agreement.id, Agreement.reference, Organization.name)
            .join(Organization, Organization.id == Agreement.organization_id)
            .order_by(Organization.name, Agreement.reference)
        ).all()
    )


def grant_rows(session: Session, dataset: Dataset, today: date) -> list[dict[str, Any]]:
    """A dataset's grants, newest first, each with its organisation, agreement and whether it
    opens the dataset today."""
    rows = session.exec(
        select(DatasetGrant, Organization.name, Agreement)
        .join(Organization, Organization.id == DatasetGrant.organization_id)
        .outerjoin(Agreement, Agreement.id == DatasetGrant.agreement_id)
        .where(DatasetGrant.dataset_id == dataset.id)
        .order_by(DatasetGrant.created_at.desc())
    ).all()
    result = []
    for grant, organization_name, agreement in rows:
        status = effective_status(agreement, today) if agreement else None
        result.append(
            {
                "grant": grant,
                "organization": organization_name,
                "agreement": agreement,
                "agreement_status": status,
                "in_force": grant.is_current(today)
                and (agreement is None or status == AgreementStatus.ACTIVE),
            }
        )
    return result
