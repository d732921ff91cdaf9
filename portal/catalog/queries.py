"""Catalog filters, the filtered list and its facet counts, in a fixed number of SQL statements."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, case, cast, func, literal, or_, select, union_all
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session

from portal.catalog.models import (
    APPLICATION_BITS,
    Chemistry,
    Inquiry,
    InquiryNote,
    Technology,
    applications_mask,
)
from portal.catalog.search import MAX_QUERY_LENGTH, text_search
from portal.db import children
from portal.pagination import Page, page_number
from portal.queryargs import QueryArgs, one, param, repeated
from portal.textmatch import clean_search, contains
from portal.vocabulary import Application, Category, Licensing

PER_PAGE = 20
MAX_VALUES_PER_FACET = 10
TRL_LEVELS = tuple(range(1, 10))
SORTS = ("relevance", "newest", "trl", "title")


def _choices(values: Iterable[str], allowed: Iterable[str]) -> tuple[str, ...]:
    """Known values only, each once, in the order of `allowed` (a stable URL and cache key)."""
    wanted = {str(v)[:40] for v in list(values)[: MAX_VALUES_PER_FACET * 4]}
    return tuple(v for v in allowed if v in wanted)


def _trl(raw: Any) -> int | None:
    try:
        value = int(str(raw).strip()[:3])
    except (TypeError, ValueError):
        return None
    return value if 1 <= value <= 9 else None


def _facet(allowed: Iterable[str]):
    return param(repeated(lambda values: _choices(values, allowed)), ())


def _sort(raw: Any) -> str:
    return raw if raw in SORTS else "relevance"


@dataclass(frozen=True)
class CatalogFilters(QueryArgs):
    """What the visitor asked for; built from query parameters, never trusting them.

    The field order is the order of the canonical, shareable URL (and of the cache key).
    """

    q: str = param(one(lambda raw: clean_search(raw, MAX_QUERY_LENGTH)))
    chemistry: tuple[str, ...] = _facet(Chemistry.values())
    category: tuple[str, ...] = _facet(Category.values())
    application: tuple[str, ...] = _facet(Application.values())
    trl_min: int | None = param(one(_trl), None)
    trl_max: int | None = param(one(_trl), None)
    licensing: tuple[str, ...] = _facet(Licensing.values())
    sort: str = param(one(_sort), "relevance")
    page: int = param(one(page_number), 1)

    @property
    def is_filtered(self) -> bool:
        """True when anything narrows the list."""
        return bool(
            self.q
            or self.chemistry
            or self.category
            or self.application
            or self.licensing
            or self.trl_min
            or self.trl_max
        )


@dataclass
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass
class CatalogResult(Page):
    """One page of technologies (paging from portal.pagination.Page) with its facets."""

    filters: CatalogFilters | None = None
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)


def _conditions(
    filters: CatalogFilters, dialect: str, *, exclude: str | None = None
) -> list[ColumnElement]:
    """WHERE terms for the public list; `exclude` leaves one facet's own filter out."""
    conditions: list[ColumnElement] = [
        Technology.is_published,
        ~Technology.is_archived,
    ]
    if filters.chemistry and exclude != "chemistry":
        conditions.append(Technology.chemistry.in_(filters.chemistry))
    if filters.category and exclude != "category":
        conditions.append(Technology.category.in_(filters.category))
    if filters.licensing and exclude != "licensing":
        conditions.append(Technology.licensing_status.in_(filters.licensing))
    if exclude != "trl":
        if filters.trl_min:
            conditions.append(Technology.trl >= filters.trl_min)
        if filters.trl_max:
            conditions.append(Technology.trl <= filters.trl_max)
    if filters.application and exclude != "application":
        wanted = applications_mask(filters.application)
        conditions.append(Technology.applications_mask.op("&")(wanted) != 0)
    search = text_search(dialect, filters.q)
    if search is not None:
        conditions.append(search.condition)
    return conditions


def filtered_query(db: Session, filters: CatalogFilters) -> Select:
    """Published technologies matching the filters, in the requested order."""
    dialect = db.get_bind().dialect.name
    query = select(Technology).where(*_conditions(filters, dialect))
    search = text_search(dialect, filters.q)
    if filters.sort == "relevance" and search is not None:
        query = search.rank_order(query)
    elif filters.sort == "trl":
        query = query.order_by(Technology.trl.desc(), Technology.title)
    elif filters.sort == "title":
        query = query.order_by(Technology.title)
    return query.order_by(Technology.published_at.desc(), Technology.id.desc())


_GROUPED_FACETS = {
    # In the order of ix_technology_facets, so one GROUP BY walks the index without sorting.
    "chemistry": Technology.chemistry,
    "category": Technology.category,
    "licensing": Technology.licensing_status,
    "trl": Technology.trl,
}


def _facet_counts(
    db: Session, filters: CatalogFilters
) -> tuple[dict[str, list[FacetValue]], int | None]:
    """Counts per value of every facet, each under all the OTHER filters, in two statements.

    Facets without a filter of their own share the full filter set, so one GROUP BY over their
    columns (read from the narrow covering index) counts them all at once. Each facet that has
    a filter of its own, and the applications bit set, gets one part of a UNION ALL.
    Returns the facets and, when the shared GROUP BY ran (under every filter), the total.
    """
    dialect = db.get_bind().dialect.name
    active = {name for name in _GROUPED_FACETS if _is_active(filters, name)}
    counts: dict[tuple[str, str], int] = {}
    total = None

    shared = [name for name in _GROUPED_FACETS if name not in active]
    if shared:
        columns = [_GROUPED_FACETS[name] for name in shared]
        rows = db.exec(
            select(*columns, func.count()).where(*_conditions(filters, dialect)).group_by(*columns)
        ).all()
        total = sum(row[-1] for row in rows)
        for row in rows:
            for name, value in zip(shared, row[:-1], strict=True):
                key = (name, str(value))
                counts[key] = counts.get(key, 0) + row[-1]

    parts = [
        select(
            literal(name).label("facet"),
            cast(_GROUPED_FACETS[name], String).label("value"),
            func.count().label("n"),
        )
        .where(*_conditions(filters, dialect, exclude=name))
        .group_by(_GROUPED_FACETS[name])
        for name in _GROUPED_FACETS
        if name in active
    ]
    parts.append(
        select(
            literal("applications_mask").label("facet"),
            cast(Technology.applications_mask, String).label("value"),
            func.count().label("n"),
        )
        .where(*_conditions(filters, dialect, exclude="application"))
        .group_by(Technology.applications_mask)
    )
    for facet, value, n in db.exec(union_all(*parts)).all():
        if facet == "applications_mask":
            for code, bit in APPLICATION_BITS.items():
                if int(value) & bit:
                    counts[("application", code)] = counts.get(("application", code), 0) + n
        else:
            counts[(facet, str(value))] = n

    selected = {
        "chemistry": filters.chemistry,
        "category": filters.category,
        "application": filters.application,
        "licensing": filters.licensing,
    }
    all_values = {
        "chemistry": Chemistry.values(),
        "category": Category.values(),
        "application": Application.values(),
        "licensing": Licensing.values(),
        "trl": [str(level) for level in TRL_LEVELS],
    }
    facets = {}
    for name, values in all_values.items():
        chosen = selected.get(name, ())
        if name == "trl" and (filters.trl_min or filters.trl_max):
            low, high = filters.trl_min or 1, filters.trl_max or 9
            chosen = tuple(v for v in values if low <= int(v) <= high)
        facets[name] = [FacetValue(v, counts.get((name, v), 0), v in chosen) for v in values]
    return facets, total


def _is_active(filters: CatalogFilters, name: str) -> bool:
    if name == "trl":
        return bool(filters.trl_min or filters.trl_max)
    return bool(getattr(filters, name))


def find_technologies(
    db: Session, filters: CatalogFilters, *, per_page: int = PER_PAGE, with_facets: bool = True
) -> CatalogResult:
    """One page of the filtered catalog with its total and (optionally) the facet counts.

    At most four statements whatever the number of technologies: the page's rows, the facet
    counts (two), and the count, which the facet query usually answers already.
    """
    dialect = db.get_bind().dialect.name
    facets, total = ({}, None)
    if with_facets:
        facets, total = _facet_counts(db, filters)
    if total is None:
        total = db.exec(
            select(func.count()).select_from(Technology).where(*_conditions(filters, dialect))
        ).scalar_one()
    query = filtered_query(db, filters)
    offset = (filters.page - 1) * per_page
    items = list(db.exec(query.limit(per_page).offset(offset)).scalars()) if total else []
    return CatalogResult(
        items=items,
        total=int(total),
        number=filters.page,
        per_page=per_page,
        filters=filters,
        facets=facets,
    )


# --- the home page, a technology page, and the staff lists ------------------------------------

ADMIN_STATES = ("draft", "published", "archived", "all")


def featured_technologies(db: Session, limit: int = 3) -> list[Technology]:
    """The most recently published public technologies (for the home page)."""
    return list(
        db.exec(
            select(Technology)
            .where(Technology.is_published, ~Technology.is_archived)
            .order_by(Technology.published_at.desc(), Technology.id.desc())
            .limit(limit)
        ).scalars()
    )


def related_technologies(db: Session, technology: Technology, limit: int = 4) -> list[Technology]:
    """Public technologies of the same chemistry or category, closest first."""
    same_chemistry = case((Technology.chemistry == technology.chemistry, 0), else_=1)
    same_category = case((Technology.category == technology.category, 0), else_=1)
    return list(
        db.exec(
            select(Technology)
            .where(
                Technology.is_published,
                ~Technology.is_archived,
                Technology.id != technology.id,
                or_(
                    Technology.chemistry == technology.chemistry,
                    Technology.category == technology.category,
                ),
            )
            .order_by(same_category, same_chemistry, Technology.trl.desc(), Technology.id)
            .limit(limit)
        ).scalars()
    )


def admin_technologies_query(state: str, q: str) -> Select:
    """The staff's technology list: by state (the working list hides the archive) and title
    (English or Hindi)."""
    query = select(Technology).order_by(Technology.updated_at.desc(), Technology.id.desc())
    if state == "draft":
        query = query.where(~Technology.is_published, ~Technology.is_archived)
    elif state == "published":
        query = query.where(Technology.is_published, ~Technology.is_archived)
    elif state == "archived":
        query = query.where(Technology.is_archived)
    elif state != "all":
        query = query.where(~Technology.is_archived)
    if q:
        query = query.where(contains(q, Technology.title, Technology.title_hi))
    return query


def inquiries_query(status: str, technology_id: int | None) -> Select:
    """Inquiries with their technology, newest first, by status and technology."""
    query = (
        select(Inquiry, Technology)
        .outerjoin(Technology, Technology.id == Inquiry.technology_id)
        .order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
    )
    if status:
        query = query.where(Inquiry.status == status)
    if technology_id:
        query = query.where(Inquiry.technology_id == technology_id)
    return query


def technology_titles(db: Session) -> list[tuple[int, str]]:
    """(id, title) of every technology, for pickers."""
    return list(db.exec(select(Technology.id, Technology.title).order_by(Technology.title)).all())


def notes_for(db: Session, inquiry: Inquiry) -> list[InquiryNote]:
    """An inquiry's notes, oldest first."""
    return children(db, InquiryNote.inquiry_id, inquiry.id, InquiryNote.created_at, InquiryNote.id)
