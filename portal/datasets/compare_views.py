"""Comparing datasets: retention per cycle, and chosen cycles' voltage curves and dQ/dV, overlaid
(the first ingested file of each dataset), with a table of the same cycles as the text version."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_login import current_user

from portal import db
from portal.datasets import bp, files, queries
from portal.datasets.ingest import IngestError, voltage_curve
from portal.datasets.ingest.incremental import METHOD as DQDV_METHOD
from portal.datasets.ingest.incremental import dqdv_from_parquet, peaks
from portal.datasets.models import Dataset, DatasetFile
from portal.datasets.views import CURVE_POINTS, parse_cycles
from portal.dates import local_today
from portal.storage import storage
from portal.vocabulary import FileStatus

MAX_COMPARE = 6
MAX_COMPARE_CYCLES = 4
DEFAULT_CYCLES = [1]


def _compare_slugs() -> list[str]:
    slugs: list[str] = []
    for raw in request.args.getlist("d")[:50]:
        slug = (raw or "").strip()[:80].lower()
        if slug and slug not in slugs:
            slugs.append(slug)
    return slugs[:MAX_COMPARE]


def _chosen() -> tuple[list[Dataset], dict[int, DatasetFile]]:
    session = db.session()
    chosen = queries.visible_by_slug(session, _compare_slugs(), current_user, local_today())
    return chosen, queries.first_ingested_files(session, [d.id for d in chosen])


def _cycles() -> list[int]:
    return parse_cycles(request.args.get("cycles"))[:MAX_COMPARE_CYCLES] or DEFAULT_CYCLES


def _readable(dataset_file: DatasetFile | None) -> bool:
    return bool(
        dataset_file and dataset_file.parquet_name and dataset_file.status == FileStatus.INGESTED
    )


def _curves(dataset_file: DatasetFile, cycles: list[int]) -> tuple[dict, dict]:
    """Voltage curves and dQ/dV of ``cycles`` from a file's stored table ({} if unreadable)."""
    try:
        table = files.stored_key(dataset_file.parquet_name)
        with storage().local_path(table, reuse=True) as path:
            return (
                files.json_safe(voltage_curve(path, cycles, CURVE_POINTS)),
                files.json_safe(dqdv_from_parquet(path, cycles)),
            )
    except (IngestError, FileNotFoundError):
        return {}, {}


@bp.get("/datasets/compare")
def compare():
    """Capacity fade of several visible datasets, and chosen cycles side by side."""
    session = db.session()
    chosen, first_files = _chosen()
    cycles = _cycles()
    rows = queries.compare_rows(session, [f.id for f in first_files.values()], cycles)
    table = []
    for dataset in chosen:
        dataset_file = first_files.get(dataset.id)
        if dataset_file is None:
            continue
        found_peaks = peaks(_curves(dataset_file, cycles)[1]) if _readable(dataset_file) else []
        for cycle in rows.get(dataset_file.id, []):
            table.append(
                {
                    "dataset": dataset,
                    "cycle": cycle,
                    "peaks": [p for p in found_peaks if p["cycle"] == cycle.cycle_index],
                }
            )
    return render_template(
        "datasets/compare.html",
        chosen=chosen,
        options=queries.compare_options(session, current_user, local_today()),
        slugs=[d.slug for d in chosen],
        cycles=cycles,
        table=table,
        dqdv_method=DQDV_METHOD,
    )


@bp.get("/datasets/compare.json")
def compare_data():
    """The first ingested file of each chosen dataset: retention and capacity per cycle."""
    chosen, first_files = _chosen()
    series = []
    for dataset in chosen:
        dataset_file = first_files.get(dataset.id)
        if dataset_file is None:
            continue
        data = dataset_file.capacity_series or {}
        series.append(
            {
                "slug": dataset.slug,
                "title": dataset.title,
                "file_id": dataset_file.id,
                "cycle_index": data.get("cycle_index", []),
                "capacity_retention": data.get("capacity_retention", []),
                "discharge_capacity_ah": data.get("discharge_capacity_ah", []),
            }
        )
    return jsonify({"series": series})


@bp.get("/datasets/compare/curves.json")
def compare_curves():
    """Voltage curves and dQ/dV of the same cycles in each chosen dataset's first file."""
    chosen, first_files = _chosen()
    cycles = _cycles()
    series = []
    for dataset in chosen:
        dataset_file = first_files.get(dataset.id)
        if not _readable(dataset_file):
            continue
        voltage, dqdv = _curves(dataset_file, cycles)
        series.append(
            {
                "slug": dataset.slug,
                "title": dataset.title,
                "file_id": dataset_file.id,
                "voltage": voltage,
                "dqdv": dqdv,
            }
        )
    return jsonify({"cycles": cycles, "method": DQDV_METHOD, "series": series})
