"""JSON API for datasets: the visible list, one dataset with its files, and per-cycle summaries.

Only the public schemas below are serialised, so internal columns (stored names, who uploaded)
never leave the server. A dataset the caller may not see answers 404.
"""

from __future__ import annotations

from datetime import datetime

from flask import jsonify, request, url_for
from flask_login import current_user
from sqlmodel import SQLModel, select

from portal import db
from portal.catalog.models import Technology
from portal.datasets import api_bp
from portal.datasets.access import get_dataset_or_404, get_file_or_404, visible_datasets_clause
from portal.datasets.models import CycleSummary, Dataset, DatasetFile, FileStatus
from portal.dates import local_today
from portal.pagination import PER_PAGE, page_number, paginate

MAX_CYCLES_PER_PAGE = 1000
DEFAULT_CYCLES_PER_PAGE = 200


class DatasetPublic(SQLModel):
    slug: str
    title: str
    description: str
    chemistry: str
    cell_format: str
    nominal_capacity_ah: float | None
    test_type: str
    temperature_c: float | None
    visibility: str
    licence_terms: str
    attribution: str
    technology_slug: str | None = None
    updated_at: datetime
    url: str
    api_url: str


class DatasetFilePublic(SQLModel):
    id: int
    original_filename: str
    format: str
    status: str
    size_bytes: int
    sha256: str
    row_count: int | None
    cycle_count: int | None
    reference_capacity_ah: float | None
    reference_rule: str
    cycles_to_80_soh: int | None
    flags: list[str]
    cycles_url: str
    downloads: dict[str, str]


class CycleSummaryPublic(SQLModel):
    cycle_index: int
    charge_capacity_ah: float | None
    discharge_capacity_ah: float | None
    charge_energy_wh: float | None
    discharge_energy_wh: float | None
    coulombic_efficiency: float | None
    energy_efficiency: float | None
    min_voltage_v: float | None
    max_voltage_v: float | None
    duration_s: float | None
    capacity_retention: float | None


def _technology_slugs(datasets: list[Dataset]) -> dict[int, str]:
    ids = {d.technology_id for d in datasets if d.technology_id}
    if not ids:
        return {}
    rows = (
        db.session()
        .exec(
            select(Technology.id, Technology.slug).where(
                Technology.id.in_(ids), Technology.is_published, Technology.is_archived.is_(False)
            )
        )
        .all()
    )
    return dict(rows)


def dataset_public(dataset: Dataset, technology_slugs: dict[int, str]) -> dict:
    return DatasetPublic(
        **dataset.model_dump(include=set(DatasetPublic.model_fields)),
        technology_slug=technology_slugs.get(dataset.technology_id or 0),
        url=url_for("datasets.detail", slug=dataset.slug, _external=True),
        api_url=url_for("datasets_api.dataset", slug=dataset.slug, _external=True),
    ).model_dump(mode="json")


def download_links(dataset: Dataset, dataset_file: DatasetFile) -> dict[str, str]:
    """Absolute download URLs (the same routes as the page; a bearer token works on them)."""
    forms = ["original"]
    if dataset_file.status == FileStatus.INGESTED:
        forms += ["csv", "parquet", "summary"]
    return {
        ("summary_csv" if form == "summary" else form): url_for(
            "datasets.download",
            slug=dataset.slug,
            file_id=dataset_file.id,
            form=form,
            _external=True,
        )
        for form in forms
    }


def file_public(dataset: Dataset, dataset_file: DatasetFile) -> dict:
    return DatasetFilePublic(
        **dataset_file.model_dump(include=set(DatasetFilePublic.model_fields)),
        cycles_url=url_for(
            "datasets_api.cycles", slug=dataset.slug, file_id=dataset_file.id, _external=True
        ),
        downloads=download_links(dataset, dataset_file),
    ).model_dump(mode="json")


def _next_url(endpoint: str, page, **args) -> str | None:
    if not page.has_next:
        return None
    return url_for(endpoint, page=page.number + 1, _external=True, **args)


@api_bp.get("/datasets")
def datasets():
    """The datasets the caller may see, by title."""
    session = db.session()
    query = (
        select(Dataset)
        .where(visible_datasets_clause(current_user, local_today()))
        .order_by(Dataset.title, Dataset.id)
    )
    page = paginate(session, query, request.args.get("page"), per_page=PER_PAGE)
    slugs = _technology_slugs(page.items)
    return jsonify(
        {
            "items": [dataset_public(d, slugs) for d in page.items],
            "total": page.total,
            "next": _next_url("datasets_api.datasets", page),
        }
    )


@api_bp.get("/datasets/<slug>")
def dataset(slug: str):
    """One dataset with its files, their warnings and download links."""
    found = get_dataset_or_404(slug, current_user)
    files = (
        db.session()
        .exec(
            select(DatasetFile).where(DatasetFile.dataset_id == found.id).order_by(DatasetFile.id)
        )
        .all()
    )
    body = dataset_public(found, _technology_slugs([found]))
    body["files"] = [file_public(found, f) for f in files]
    return jsonify(body)


@api_bp.get("/datasets/<slug>/files/<int:file_id>/cycles")
def cycles(slug: str, file_id: int):
    """Per-cycle summary rows of one file (capacities in Ah, efficiencies as fractions)."""
    found, dataset_file = get_file_or_404(slug, file_id, current_user)
    per_page = min(
        max(page_number(request.args.get("per_page") or str(DEFAULT_CYCLES_PER_PAGE)), 1),
        MAX_CYCLES_PER_PAGE,
    )
    query = (
        select(CycleSummary)
        .where(CycleSummary.dataset_file_id == dataset_file.id)
        .order_by(CycleSummary.cycle_index)
    )
    page = paginate(db.session(), query, request.args.get("page"), per_page=per_page)
    return jsonify(
        {
            "items": [
                CycleSummaryPublic.model_validate(row, from_attributes=True).model_dump()
                for row in page.items
            ],
            "total": page.total,
            "next": _next_url(
                "datasets_api.cycles",
                page,
                slug=found.slug,
                file_id=dataset_file.id,
                per_page=per_page,
            ),
        }
    )
