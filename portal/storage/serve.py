"""Downloads of stored objects: streamed in chunks, with HTTP Range, If-Range and ETag.

The same code serves both backends: bytes come through `Storage.read_range`, so an S3 object is
streamed from the endpoint (a ranged GET) rather than redirected, and access checks and audit stay
in the portal's routes.
"""

from __future__ import annotations

from flask import Response, abort, request

from portal.storage import storage

FILENAME_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def send_stored(key: str, *, mimetype: str, download_name: str) -> Response:
    """The object as an attachment; a single byte range gives 206, an impossible one 416."""
    store = storage()
    try:
        info = store.stat(key)
    except FileNotFoundError:
        abort(404)
    size = info.size
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Disposition": f'attachment; filename="{_safe(download_name)}"',
        "Cache-Control": "private, no-cache",
    }
    if request.if_none_match.contains(info.etag):
        response = Response(status=304, headers=headers)
        response.set_etag(info.etag)
        return response
    start, length, status = 0, size, 200
    wanted = request.range
    if wanted is not None and len(wanted.ranges) == 1 and _if_range_holds(info.etag):
        bounds = wanted.range_for_length(size)
        if bounds is None:
            response = Response(status=416, headers=headers)
            response.headers["Content-Range"] = f"bytes */{size}"
            return response
        start, stop = bounds
        length, status = stop - start, 206
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    response = Response(
        store.read_range(key, start, length),
        status=status,
        mimetype=mimetype,
        headers=headers,
        direct_passthrough=True,
    )
    response.content_length = length
    response.set_etag(info.etag)
    return response


def _if_range_holds(etag: str) -> bool:
    """No If-Range, or one naming the current strong ETag; a date or another tag → whole file."""
    if_range = request.if_range
    if not if_range.etag and not if_range.date:
        return True
    return if_range.etag == etag


def _safe(name: str) -> str:
    """An attachment name with only portable characters (never quotes, slashes or line breaks)."""
    cleaned = "".join(ch if ch in FILENAME_SAFE else "_" for ch in name).strip("._")
    return cleaned or "download"
