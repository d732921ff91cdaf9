"""Resumable uploads: create, append a chunk, finish (hand over to ingest), terminate, sweep.

Services flush, never commit. A chunk's bytes are spooled to a private temporary file first and
counted against the declared length, so an over-long chunk stores nothing; the finished upload
goes through `datasets.files.receive_file` and `datasets.jobs.queue_ingest`, the same checks and
queued ingest as a form upload.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete
from sqlmodel import Session, select
from werkzeug.exceptions import ClientDisconnected

from portal import uploads
from portal.datasets import files, jobs
from portal.datasets.models import Dataset, DatasetFile
from portal.db import utcnow
from portal.errors import ServiceError
from portal.resumable.models import ResumableUpload
from portal.resumable.protocol import Checksum
from portal.storage import storage
from portal.storage.staging import staging_for

CHUNK_READ_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Chunk:
    """One PATCH body spooled to a local file; `complete` is False when the client went away.

    `digest` is the body's hash in the algorithm the client named (None when it named none).
    """

    path: Path
    size: int
    complete: bool
    digest: bytes | None = None

    def matches(self, checksum: Checksum | None) -> bool:
        """Whether the whole body arrived and hashes as the client said (no checksum: True)."""
        return checksum is None or (self.complete and self.digest == checksum.digest)


def lifetime() -> timedelta:
    """How long an unfinished upload is kept after its last chunk (PORTAL_UPLOAD_EXPIRY_HOURS)."""
    return timedelta(hours=int(current_app.config["UPLOAD_EXPIRY_HOURS"]))


def create_upload(
    db: Session, dataset: Dataset, *, owner, length: int, filename: str | None
) -> ResumableUpload:
    """Start an upload of `length` bytes into `dataset`; over PORTAL_MAX_UPLOAD_MB → 413."""
    if length > uploads.max_upload_bytes():
        raise uploads.too_large()
    if length == 0:
        raise ServiceError(_("The file is empty."))
    upload_id = secrets.token_hex(16)
    name = f"tus_{upload_id}"
    state = staging_for(storage()).start(name)
    upload = ResumableUpload(
        id=upload_id,
        owner_id=owner.id,
        dataset_id=dataset.id,
        filename=uploads.display_name(filename),
        length=length,
        staging_name=name,
        staging=state,
        expires_at=utcnow() + lifetime(),
    )
    db.add(upload)
    db.flush()
    return upload


@contextmanager
def spool_chunk(
    stream: BinaryIO, remaining: int, checksum: Checksum | None = None
) -> Iterator[Chunk]:
    """Copy a PATCH body to a temporary file, hashing it when the client sent a checksum; more
    than `remaining` bytes → 413, nothing kept.

    A dropped connection is not an error: the bytes that arrived are kept (tus resumes there),
    unless a checksum came with them, which a partial body cannot be checked against.
    """
    hasher = checksum.hasher() if checksum else None
    with uploads.scratch_dir("portal-chunk-") as folder:
        path = folder / "chunk"
        size, complete = 0, True
        with open(path, "xb") as out:
            try:
                while piece := stream.read(CHUNK_READ_BYTES):
                    size += len(piece)
                    if size > remaining:
                        raise ServiceError(
                            _("The chunk goes past the length declared for this upload."),
                            status=413,
                        )
                    out.write(piece)
                    if hasher:
                        hasher.update(piece)
            except ClientDisconnected:
                complete = False
        digest = hasher.digest() if hasher else None
        yield Chunk(path=path, size=size, complete=complete, digest=digest)


def append_chunk(db: Session, upload: ResumableUpload, chunk: Chunk) -> None:
    """Stage a chunk after the bytes received so far and move the offset on."""
    if upload.length > uploads.max_upload_bytes():
        raise uploads.too_large()  # the limit was lowered since the upload began
    if chunk.size == 0:
        return
    end = upload.offset_bytes + chunk.size
    upload.staging = staging_for(storage()).append(
        upload.staging_name,
        upload.staging,
        upload.offset_bytes,
        chunk.path,
        final=end == upload.length,
    )
    upload.offset_bytes = end
    upload.expires_at = utcnow() + lifetime()
    db.add(upload)
    db.flush()


def finish_upload(db: Session, upload: ResumableUpload, *, actor) -> DatasetFile:
    """Hand a complete upload over like a form upload (checked, stored, its ingest queued); its
    staging is then removed.

    A refusal raises the ServiceError of `receive_file`; the caller forgets the upload then
    (`forget_refused`), since the request's own transaction is rolled back.
    """
    dataset = db.get(Dataset, upload.dataset_id)
    staging = staging_for(storage())
    with staging.finished(upload.staging_name, upload.staging) as stream:
        # The form upload's own two calls: check and store, then queue the ingest job.
        added = files.receive_file(db, dataset, stream, upload.filename, actor=actor)
        jobs.queue_ingest(db, added, actor=actor, action="")
    staging.discard(upload.staging_name, upload.staging)
    upload.finished_at = utcnow()
    upload.file_id = added.id
    db.add(upload)
    db.flush()
    return added


def terminate_upload(db: Session, upload: ResumableUpload) -> None:
    """Delete an upload and its staged bytes (tus termination)."""
    staging_for(storage()).discard(upload.staging_name, upload.staging)
    db.delete(upload)
    db.flush()


def forget_refused(engine, upload_id: str, staging_name: str, state: dict) -> None:
    """After ingest refused a finished upload: drop its staged bytes and its row, committed apart
    from the request (whose transaction the refusal rolls back), so nothing is left behind."""
    staging_for(storage()).discard(staging_name, state)
    with Session(engine) as separate:
        separate.exec(delete(ResumableUpload).where(ResumableUpload.id == upload_id))
        separate.commit()


def is_expired(upload: ResumableUpload, now: datetime | None = None) -> bool:
    """An unfinished upload past its expiry can no longer be continued."""
    return not upload.is_finished and upload.expires_at <= (now or utcnow())


def sweep_expired_uploads(db: Session, now: datetime | None = None) -> int:
    """Remove uploads past their expiry, finished or not, with their staged bytes; how many.

    Staged bytes older than an upload's lifetime that no row knows (their request rolled back
    or the node died between staging and commit) are removed too.
    """
    moment = now or utcnow()
    expired = db.exec(select(ResumableUpload).where(ResumableUpload.expires_at <= moment)).all()
    staging = staging_for(storage())
    for upload in expired:
        staging.discard(upload.staging_name, upload.staging)
        db.delete(upload)
    db.flush()
    known = set(db.exec(select(ResumableUpload.staging_name)).all())
    for name, state in list(staging.staged_before(moment - lifetime())):
        if name not in known:
            staging.discard(name, state)
    return len(expired)
