"""The tus endpoints for staff dataset uploads, and the result fragment the page shows after.

POST   /admin/datasets/<slug>/uploads    creation (Upload-Length, Upload-Metadata filename)
HEAD   /admin/uploads/<id>               Upload-Offset and Upload-Length
PATCH  /admin/uploads/<id>               append at Upload-Offset (409 when it is not ours; with
                                         Upload-Checksum, 460 and nothing kept when it differs)
DELETE /admin/uploads/<id>               termination
OPTIONS on both                          the server's version, extensions and maximum size

They are ordinary staff routes: the policy table, the session cookie and the CSRF check apply
(tus-js-client sends the token as the X-CSRFToken header). A refusal answers plain text, which
the page's script shows; nothing of a refused upload is kept.
"""

from __future__ import annotations

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import db, uploads
from portal.datasets.loaders import get_dataset_or_404
from portal.datasets.models import Dataset, DatasetFile
from portal.errors import ServiceError
from portal.resumable import bp, protocol, services
from portal.resumable.loaders import get_upload_or_404
from portal.resumable.models import ResumableUpload


def _answer(status: int | str, headers: dict | None = None, body: str = "") -> Response:
    return Response(
        body,
        status=status,
        headers={**protocol.common_headers(), **(headers or {})},
        mimetype="text/plain",
    )


def _state_headers(upload: ResumableUpload) -> dict[str, str]:
    headers = {"Upload-Offset": str(upload.offset_bytes), "Upload-Length": str(upload.length)}
    if not upload.is_finished:
        headers["Upload-Expires"] = protocol.expires_header(upload.expires_at)
    return headers


def _options() -> Response:
    return _answer(204, protocol.options_headers(uploads.max_upload_bytes()))


@bp.errorhandler(protocol.ProtocolError)
def _protocol_error(error: protocol.ProtocolError):
    return _answer(error.status, {"Tus-Version": protocol.VERSION}, error.message)


@bp.route(
    "/admin/datasets/<slug>/uploads", methods=["POST", "OPTIONS"], provide_automatic_options=False
)
def create(slug: str):
    """tus creation: a new upload into this dataset; 201 with its Location."""
    if request.method == "OPTIONS":
        return _options()
    protocol.check_version(request.headers.get("Tus-Resumable"))
    dataset = get_dataset_or_404(slug, current_user)
    length = protocol.parse_length(request.headers.get("Upload-Length"), "Upload-Length")
    metadata = protocol.parse_metadata(request.headers.get("Upload-Metadata"))
    try:
        upload = services.create_upload(
            db.session(),
            dataset,
            owner=current_user,
            length=length,
            filename=metadata.get("filename"),
        )
    except ServiceError as refused:
        return _answer(refused.status, body=refused.message)
    location = url_for("resumable.upload", upload_id=upload.id)
    return _answer(201, {"Location": location, **_state_headers(upload)})


@bp.route(
    "/admin/uploads/<upload_id>",
    methods=["HEAD", "PATCH", "DELETE", "OPTIONS"],
    provide_automatic_options=False,
)
def upload(upload_id: str):
    """tus HEAD (where it stands), PATCH (append a chunk) and DELETE (termination)."""
    if request.method == "OPTIONS":
        return _options()
    protocol.check_version(request.headers.get("Tus-Resumable"))
    if request.method == "PATCH":
        return _patch(upload_id)
    found = get_upload_or_404(upload_id, current_user, lock=request.method == "DELETE")
    if services.is_expired(found):
        return _answer(410, body=_("This upload has expired; start it again."))
    if request.method == "DELETE":
        services.terminate_upload(db.session(), found)
        return _answer(204)
    return _answer(200, _state_headers(found))


def _patch(upload_id: str) -> Response:
    if request.mimetype != protocol.OFFSET_CONTENT_TYPE:
        return _answer(415, body=f"Content-Type must be {protocol.OFFSET_CONTENT_TYPE}")
    offset = protocol.parse_length(request.headers.get("Upload-Offset"), "Upload-Offset")
    checksum = protocol.parse_checksum(request.headers.get("Upload-Checksum"))
    found = get_upload_or_404(upload_id, current_user)
    if services.is_expired(found):
        return _answer(410, body=_("This upload has expired; start it again."))
    if offset != found.offset_bytes:
        return _answer(409, _state_headers(found), _("Upload-Offset is not the offset stored."))
    try:
        with services.spool_chunk(request.stream, found.length - offset, checksum) as chunk:
            if not chunk.matches(checksum):
                return _answer(
                    protocol.CHECKSUM_MISMATCH,
                    _state_headers(found),
                    _("The chunk does not match its Upload-Checksum; nothing of it was kept."),
                )
            # Another node may have taken this chunk meanwhile: check again under the row lock.
            found = get_upload_or_404(upload_id, current_user, lock=True)
            if offset != found.offset_bytes or found.is_finished:
                return _answer(
                    409, _state_headers(found), _("Upload-Offset is not the offset stored.")
                )
            services.append_chunk(db.session(), found, chunk)
        if found.offset_bytes == found.length and chunk.size:
            return _finish(found)
    except ServiceError as refused:
        return _answer(refused.status, body=refused.message)
    return _answer(204, _state_headers(found))


def _finish(found: ResumableUpload) -> Response:
    """The last chunk arrived: ingest now; a refused file leaves neither bytes nor row."""
    # Read before ingest: a refusal rolls the session back and expires `found`.
    kept = (found.id, found.staging_name, dict(found.staging))
    try:
        services.finish_upload(db.session(), found, actor=current_user)
    except ServiceError as refused:
        services.forget_refused(db.engine(), *kept)
        return _answer(refused.status, body=refused.message)
    return _answer(204, _state_headers(found))


@bp.get("/admin/uploads/<upload_id>/result")
def result(upload_id: str):
    """The ingest result of a finished upload, as the form upload's result fragment."""
    found = get_upload_or_404(upload_id, current_user)
    if not found.is_finished or found.file_id is None:
        abort(404)
    added = db.session().get(DatasetFile, found.file_id)
    dataset = db.session().get(Dataset, found.dataset_id)
    return render_template("datasets/_upload_result.html", dataset=dataset, added=added, error=None)
