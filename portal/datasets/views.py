"""Dataset pages for everyone who may see them: the list, a dataset with its plots and per-cycle
table. Comparisons are in compare_views.py, downloads in downloads.py, the staff admin in
staff_views.py."""

from __future__ import annotations

import re

from flask import jsonify, render_template, request
from flask_login import current_user

from portal import db
from portal.datasets import bp, files, queries
from portal.datasets.forms import VoltageCyclesForm
from portal.datasets.ingest import IngestError, voltage_curve
from portal.datasets.ingest.incremental import METHOD as DQDV_METHOD
from portal.datasets.ingest.incremental import dqdv_from_parquet, peaks
from portal.datasets.loaders import (
    get_card_or_404,
    get_file_or_404,
    visible_dataset,
)
from portal.datasets.models import DatasetFile
from portal.datasets.queries import DatasetFilters
from portal.datasets.request_views import access_card
from portal.dates import local_today
from portal.formdata import parse_int
from portal.htmx import render
from portal.pagination import paginate
from portal.storage import storage
from portal.vocabulary import FileStatus

CYCLES_PER_PAGE = 25
MAX_CURVE_CYCLES = 8
CURVE_POINTS = 1000


def parse_cycles(raw: str | None) -> list[int]:
    """Cycle numbers typed by a person ("1, 50 200"); junk ignored, at most MAX_CURVE_CYCLES."""
    numbers: list[int] = []
    for token in re.findall(r"\d{1,9}", (raw or "")[:200]):
        number = int(token)
        if number not in numbers:
            numbers.append(number)
    return numbers[:MAX_CURVE_CYCLES]


def _preview_cycles(dataset_file: DatasetFile) -> list[int]:
    """The cycles drawn at ingest (the voltage plot's default)."""
    return [int(c) for c in (dataset_file.voltage_preview or {}) if c.isdigit()]


@bp.get("/datasets")
def index():
    """Datasets the visitor may see, with filters."""
    session = db.session()
    today = local_today()
    filters = DatasetFilters.from_args(request.args)
    technology_choices = queries.technology_choices(session, current_user, today)
    chosen = next((t for t in technology_choices if t.slug == filters.technology), None)
    query = queries.datasets_query(
        filters, current_user, today, chosen.id if chosen is not None else None
    )
    page = paginate(session, query, request.args.get("page"))
    return render(
        "datasets/index.html",
        "datasets/_list.html",
        results=page,
        facets=queries.facet_counts(
            session, filters, current_user, today, chosen.id if chosen is not None else None
        ),
        counts=queries.file_counts(session, [d.id for d in page.items]),
        filters=filters,
        args=filters.to_args(),
        technology_choices=technology_choices,
    )


def _cycles_page(dataset_file: DatasetFile):
    query = queries.cycles_query(dataset_file)
    return paginate(db.session(), query, request.args.get("page"), per_page=CYCLES_PER_PAGE)


@bp.get("/datasets/<slug>")
def detail(slug: str):
    """A dataset: metadata, files with their warnings, plots and the per-cycle table; a dataset
    the viewer may not open shows its public card instead, when staff chose to show one."""
    dataset = visible_dataset(slug, current_user)
    if dataset is None:
        return access_card(get_card_or_404(slug))
    session = db.session()
    dataset_files = queries.files_of(session, dataset)
    if not current_user.is_staff:  # a file still being ingested, or failed, is staff business
        dataset_files = [f for f in dataset_files if f.status == FileStatus.INGESTED]
    wanted = parse_int(request.args.get("file"))
    ingested = [f for f in dataset_files if f.status == FileStatus.INGESTED]
    selected = next((f for f in ingested if f.id == wanted), ingested[0] if ingested else None)
    form = VoltageCyclesForm(request.args)
    chosen_cycles = parse_cycles(request.args.get("cycles"))
    if selected and not chosen_cycles:
        chosen_cycles = _preview_cycles(selected)
    form.cycles.data = ", ".join(str(c) for c in chosen_cycles)
    return render_template(
        "datasets/detail.html",
        dataset=dataset,
        files=dataset_files,
        selected=selected,
        cycles_page=_cycles_page(selected) if selected else None,
        form=form,
        chosen_cycles=chosen_cycles,
        dqdv_peaks=peaks(_dqdv(selected, chosen_cycles)) if selected else [],
        dqdv_method=DQDV_METHOD,
        technology=queries.linked_technology(session, dataset, current_user),
    )


@bp.get("/datasets/<slug>/files/<int:file_id>/cycles")
def cycles(slug: str, file_id: int):
    """The per-cycle table of one file, a page at a time (htmx swaps just the table)."""
    dataset, dataset_file = get_file_or_404(slug, file_id, current_user)
    return render(
        "datasets/cycles.html",
        "datasets/_cycles_table.html",
        dataset=dataset,
        selected=dataset_file,
        cycles_page=_cycles_page(dataset_file),
    )


@bp.get("/datasets/<slug>/files/<int:file_id>/capacity.json")
def capacity_data(slug: str, file_id: int):
    """Capacity and retention per cycle (downsampled at ingest, read from the database)."""
    dataset, dataset_file = get_file_or_404(slug, file_id, current_user)
    data = dict(dataset_file.capacity_series or {})
    return jsonify(
        {
            "dataset": dataset.slug,
            "file_id": dataset_file.id,
            "reference_capacity_ah": dataset_file.reference_capacity_ah,
            "reference_rule": dataset_file.reference_rule,
            "cycles_to_80_soh": dataset_file.cycles_to_80_soh,
            **{key: data.get(key, []) for key in data},
        }
    )


@bp.get("/datasets/<slug>/files/<int:file_id>/voltage.json")
def voltage_data(slug: str, file_id: int):
    """Voltage vs capacity of chosen cycles, at most CURVE_POINTS points each."""
    _dataset, dataset_file = get_file_or_404(slug, file_id, current_user)
    preview = dataset_file.voltage_preview or {}
    wanted = parse_cycles(request.args.get("cycles")) or _preview_cycles(dataset_file)
    if all(str(c) in preview for c in wanted):
        curves = {str(c): preview[str(c)] for c in wanted}
    elif dataset_file.parquet_name and dataset_file.status == FileStatus.INGESTED:
        table = files.stored_key(dataset_file.parquet_name)
        with storage().local_path(table, reuse=True) as parquet:
            curves = files.json_safe(voltage_curve(parquet, wanted, CURVE_POINTS))
    else:
        curves = {}
    return jsonify({"file_id": dataset_file.id, "cycles": curves})


def _dqdv(dataset_file: DatasetFile, cycles: list[int]) -> dict:
    """dQ/dV of the chosen cycles from the file's stored table ({} when it cannot be read)."""
    if not (dataset_file.parquet_name and dataset_file.status == FileStatus.INGESTED):
        return {}
    try:
        table = files.stored_key(dataset_file.parquet_name)
        with storage().local_path(table, reuse=True) as parquet:
            return files.json_safe(dqdv_from_parquet(parquet, cycles))
    except (IngestError, FileNotFoundError):
        return {}


@bp.get("/datasets/<slug>/files/<int:file_id>/dqdv.json")
def dqdv_data(slug: str, file_id: int):
    """Incremental capacity (dQ/dV, Ah/V) of chosen cycles, charge and discharge, smoothed."""
    _dataset, dataset_file = get_file_or_404(slug, file_id, current_user)
    wanted = parse_cycles(request.args.get("cycles")) or _preview_cycles(dataset_file)
    curves = _dqdv(dataset_file, wanted)
    return jsonify(
        {
            "file_id": dataset_file.id,
            "method": DQDV_METHOD,
            "cycles": curves,
            "peaks": peaks(curves),
        }
    )
