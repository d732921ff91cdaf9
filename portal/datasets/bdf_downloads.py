"""“Download as Battery Data Format”: a file's canonical table as a BDF CSV, and the metadata
sidecar BDF defines beside it. Attachments, audited like every download, streamed."""

from __future__ import annotations

import json
from collections.abc import Iterator

from flask import Response, abort, stream_with_context, url_for
from flask_login import current_user

from portal import db, uploads
from portal.datasets import bp, services
from portal.datasets.files import stored_key
from portal.datasets.ingest.bdf_export import bdf_csv, bdf_metadata
from portal.datasets.loaders import get_file_or_404
from portal.datasets.models import Dataset, DatasetFile
from portal.storage import storage
from portal.vocabulary import FileStatus


def _stored_table(slug: str, file_id: int) -> tuple[Dataset, DatasetFile, str]:
    dataset, dataset_file = get_file_or_404(slug, file_id, current_user)
    if dataset_file.status != FileStatus.INGESTED or not dataset_file.parquet_name:
        abort(404)
    parquet = stored_key(dataset_file.parquet_name)
    if not storage().exists(parquet):
        abort(404)
    return dataset, dataset_file, parquet


def _stem(dataset: Dataset, dataset_file: DatasetFile) -> str:
    return uploads.download_name(
        dataset_file.original_filename.rsplit(".", 1)[0] or dataset.slug, fallback="dataset-file"
    )


def _bdf_stream(parquet_key: str) -> Iterator[bytes]:
    """The BDF CSV of a stored table (a local copy only while it streams, on remote storage)."""
    with storage().local_path(parquet_key, reuse=True) as path:
        yield from bdf_csv(path)


@bp.get("/datasets/<slug>/files/<int:file_id>/download/bdf")
def download_bdf(slug: str, file_id: int):
    """The normalised table with BDF's column labels and units (``.bdf.csv``)."""
    dataset, dataset_file, parquet = _stored_table(slug, file_id)
    services.record_download(db.session(), dataset, dataset_file, "bdf")
    response = Response(stream_with_context(_bdf_stream(parquet)), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_stem(dataset, dataset_file)}.bdf.csv"'
    )
    return response


@bp.get("/datasets/<slug>/files/<int:file_id>/download/bdf-metadata")
def download_bdf_metadata(slug: str, file_id: int):
    """The BDF metadata sidecar (``.bdf.metadata.json``): the dataset and each column's term."""
    dataset, dataset_file, parquet = _stored_table(slug, file_id)
    services.record_download(db.session(), dataset, dataset_file, "bdf_metadata")
    described = {
        "name": dataset.title,
        "identifier": dataset.slug,
        "description": dataset.description,
        "url": url_for("datasets.detail", slug=dataset.slug, _external=True),
        "license": dataset.licence_terms,
        "creditText": dataset.attribution,
        "chemistry": dataset.chemistry,
        "cell_type": dataset.cell_type,
        "cell_format": dataset.cell_format,
        "nominal_capacity_ah": dataset.nominal_capacity_ah,
        "temperature_celsius": dataset.temperature_c,
        "source_file": dataset_file.original_filename,
        "source_format": dataset_file.format,
        "source_sha256": dataset_file.sha256,
    }
    with storage().local_path(parquet, reuse=True) as path:
        metadata = bdf_metadata(path, described)
    body = json.dumps(metadata, indent=2, ensure_ascii=False)
    response = Response(body + "\n", mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_stem(dataset, dataset_file)}.bdf.metadata.json"'
    )
    return response
