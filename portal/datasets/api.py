"""JSON API for datasets: the visible list, one dataset with its files, and per-cycle summaries.

Only the public schemas (portal.datasets.schemas) are serialised, so internal columns (stored
names, who uploaded) never leave the server. A dataset the caller may not see answers 404.
Stored values are serialised as they are (``model_construct``): the form limits apply to edits,
and an old value outside them must not turn a read into an error.
"""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_login import current_user

from portal import db
from portal.datasets import api_bp, queries
from portal.datasets.loaders import get_dataset_or_404, get_file_or_404
from portal.datasets.models import Dataset, DatasetFile
from portal.datasets.schemas import LINKS, CycleSummaryPublic, DatasetFilePublic, DatasetPublic
from portal.dates import local_today
from portal.pagination import PER_PAGE, page_number, paginate
from portal.vocabulary import FileStatus

MAX_CYCLES_PER_PAGE = 1000
DEFAULT_CYCLES_PER_PAGE = 200
FILE_LINKS = frozenset({"cycles_url", "downloads"})


def dataset_public(dataset: Dataset, technology_slugs: dict[int, str]) -> dict:
    """A dataset as the API's JSON."""
    values = {name: getattr(dataset, name) for name in DatasetPublic.model_fields.keys() - LINKS}
    return DatasetPublic.model_construct(
        **values,
        technology_slug=technology_slugs.get(dataset.technology_id or 0),
        updated_at=dataset.updated_at,
        url=url_for("datasets.detail", slug=dataset.slug, _external=True),
        api_url=url_for("datasets_api.dataset", slug=dataset.slug, _external=True),
    ).model_dump(mode="json")


def download_links(dataset: Dataset, dataset_file: DatasetFile) -> dict[str, str]:
    """Absolute download URLs (the same routes as the page; a bearer token works on them)."""
    forms = ["original"]
    if dataset_file.status == FileStatus.INGESTED:
        forms += ["csv", "parquet", "summary"]
    links = {
        ("summary_csv" if form == "summary" else form): url_for(
            "datasets.download",
            slug=dataset.slug,
            file_id=dataset_file.id,
            form=form,
            _external=True,
        )
        for form in forms
    }
    if dataset_file.status == FileStatus.INGESTED:
        for form, endpoint in (("bdf", "download_bdf"), ("bdf_metadata", "download_bdf_metadata")):
            links[form] = url_for(
                f"datasets.{endpoint}", slug=dataset.slug, file_id=dataset_file.id, _external=True
            )
    return links


def file_public(dataset: Dataset, dataset_file: DatasetFile) -> dict:
    """A file of a dataset as the API's JSON."""
    names = DatasetFilePublic.model_fields.keys() - FILE_LINKS
    return DatasetFilePublic.model_construct(
        **{name: getattr(dataset_file, name) for name in names},
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
    query = queries.visible_query(current_user, local_today())
    page = paginate(session, query, request.args.get("page"), per_page=PER_PAGE)
    slugs = queries.technology_slugs(session, page.items)
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
    session = db.session()
    body = dataset_public(found, queries.technology_slugs(session, [found]))
    body["files"] = [file_public(found, f) for f in queries.files_of(session, found)]
    return jsonify(body)


@api_bp.get("/datasets/<slug>/files/<int:file_id>/cycles")
def cycles(slug: str, file_id: int):
    """Per-cycle summary rows of one file (capacities in Ah, efficiencies as fractions)."""
    found, dataset_file = get_file_or_404(slug, file_id, current_user)
    per_page = min(
        max(page_number(request.args.get("per_page") or str(DEFAULT_CYCLES_PER_PAGE)), 1),
        MAX_CYCLES_PER_PAGE,
    )
    query = queries.cycles_query(dataset_file)
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
