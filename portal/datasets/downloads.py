"""Downloads of a dataset's files: the original, the normalised table (CSV or Parquet) and the
per-cycle summary (CSV). Always attachments, always audited, streamed rather than held in memory."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from flask import Response, abort, stream_with_context
from flask_login import current_user

from portal import db, uploads
from portal.csvsafe import csv_cell
from portal.datasets import bp, queries, services
from portal.datasets.files import stored_key
from portal.datasets.loaders import get_file_or_404
from portal.datasets.schemas import SUMMARY_CSV_COLUMNS
from portal.storage import storage
from portal.storage.serve import send_stored
from portal.vocabulary import FileStatus

DOWNLOAD_FORMS = ("original", "csv", "parquet", "summary")
CSV_BATCH_ROWS = 64 * 1024
SUMMARY_BATCH_ROWS = 500


@bp.get("/datasets/<slug>/files/<int:file_id>/download/<form>")
def download(slug: str, file_id: int, form: str):
    """The original, the normalised table (CSV or Parquet) or the per-cycle summary (CSV)."""
    dataset, dataset_file = get_file_or_404(slug, file_id, current_user)
    if form not in DOWNLOAD_FORMS:
        abort(404)
    if form != "original" and (
        dataset_file.status != FileStatus.INGESTED or not dataset_file.parquet_name
    ):
        abort(404)
    stem = uploads.download_name(
        dataset_file.original_filename.rsplit(".", 1)[0] or dataset.slug, fallback="dataset-file"
    )
    session = db.session()
    services.record_download(session, dataset, dataset_file, form)
    if form == "original":
        return send_stored(
            stored_key(dataset_file.stored_name),
            mimetype="application/octet-stream",
            download_name=uploads.download_name(
                dataset_file.original_filename, fallback="dataset-file"
            ),
        )
    parquet = stored_key(dataset_file.parquet_name)
    if not storage().exists(parquet):
        abort(404)
    if form == "parquet":
        return send_stored(
            parquet,
            mimetype="application/vnd.apache.parquet",
            download_name=f"{stem}.normalised.parquet",
        )
    if form == "csv":
        return _attachment(_parquet_as_csv(parquet), f"{stem}.normalised.csv")
    rows = session.exec(queries.cycles_query(dataset_file)).all()
    return _attachment(_summary_csv(rows), f"{stem}.cycles.csv")


def _attachment(body: Iterator[bytes], filename: str) -> Response:
    response = Response(stream_with_context(body), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _parquet_as_csv(parquet_key: str) -> Iterator[bytes]:
    """Stream the canonical table as CSV one row group batch at a time (never all in memory)."""
    with storage().local_path(parquet_key, reuse=True) as path:
        yield from _csv_batches(pq.ParquetFile(path))


def _csv_batches(parquet: pq.ParquetFile) -> Iterator[bytes]:
    first = True
    for batch in parquet.iter_batches(batch_size=CSV_BATCH_ROWS):
        buffer = io.BytesIO()
        pa_csv.write_csv(batch, buffer, pa_csv.WriteOptions(include_header=first))
        first = False
        yield buffer.getvalue()
    if first:  # an empty table still gets its header
        buffer = io.BytesIO()
        pa_csv.write_csv(parquet.schema_arrow.empty_table(), buffer)
        yield buffer.getvalue()


def _summary_csv(rows) -> Iterator[bytes]:
    """The per-cycle rows as CSV, with exactly the API's columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SUMMARY_CSV_COLUMNS)
    for start in range(0, max(len(rows), 1), SUMMARY_BATCH_ROWS):
        for row in rows[start : start + SUMMARY_BATCH_ROWS]:
            writer.writerow([csv_cell(getattr(row, key)) for key in SUMMARY_CSV_COLUMNS])
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
