"""A resumable upload by id for its owner, or 404 (another user's upload id is not found)."""

from __future__ import annotations

from typing import Any

from flask import abort
from sqlmodel import select

from portal import db
from portal.resumable.models import ResumableUpload

ID_LENGTH = 32


def get_upload_or_404(upload_id: str, for_user: Any, *, lock: bool = False) -> ResumableUpload:
    """The upload when `for_user` created it, else 404; `lock` holds the row until the commit."""
    if len(upload_id) != ID_LENGTH or not getattr(for_user, "is_authenticated", False):
        abort(404)
    query = select(ResumableUpload).where(
        ResumableUpload.id == upload_id, ResumableUpload.owner_id == for_user.id
    )
    if lock:
        # Two nodes given the same chunk: the second waits, then sees the new offset (409).
        query = query.with_for_update().execution_options(populate_existing=True)
    upload = db.session().exec(query).first()
    if upload is None:
        abort(404)
    return upload
