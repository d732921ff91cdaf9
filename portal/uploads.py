"""Every upload's checks in one place: exact size cap, type from the content, zip bombs, names.

An upload is first spooled to a private temporary file (hashed and counted as it arrives) and
checked there; only an accepted file reaches the storage layer, so a refusal stores nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session

from portal.errors import ServiceError
from portal.storage import key, storage
from portal.storage.transaction import remove_after_commit, remove_on_rollback

CHUNK_BYTES = 1024 * 1024
MAX_DISPLAY_NAME = 200
# A zip (DOCX/XLSX) is refused when its members would expand beyond these (zip bombs).
ZIP_MAX_MEMBERS = 2000
ZIP_MAX_TOTAL_BYTES = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100
CONTENT_TYPES_MAX_BYTES = 256 * 1024

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg", DOCX: "docx", XLSX: "xlsx"}
_OOXML_MAIN = {
    "wordprocessingml.document.main+xml": DOCX,
    "spreadsheetml.sheet.main+xml": XLSX,
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Spooled:
    """An upload copied to a local temporary file: where, how big, its SHA-256."""

    path: Path
    size_bytes: int
    sha256: str


@dataclass(frozen=True)
class StoredDocument:
    """A document or evidence file kept in storage."""

    stored_name: str
    size_bytes: int
    sha256: str
    content_type: str


def max_upload_bytes() -> int:
    """PORTAL_MAX_UPLOAD_MB in bytes: a file of exactly this size is accepted, one byte more is not."""
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


def too_large() -> ServiceError:
    """The one refusal for an oversize upload (413, with the limit in words)."""
    return ServiceError(
        _(
            "The file is larger than the %(mb)d MB the portal accepts.",
            mb=current_app.config["MAX_UPLOAD_MB"],
        ),
        status=413,
    )


@contextmanager
def scratch_dir(prefix: str = "portal-") -> Iterator[Path]:
    """A private temporary folder, removed with everything in it when the block ends."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def spool(stream: BinaryIO, *, limit: int | None) -> Iterator[Spooled]:
    """Copy an upload to a temporary file, hashing as it goes; over `limit` bytes → 413.

    `limit=None` means no limit (the command line, run by an operator on the server). The
    temporary file is removed when the block ends, accepted or not.
    """
    with scratch_dir("portal-upload-") as folder:
        path = folder / "upload"
        digest = hashlib.sha256()
        size = 0
        with open(path, "xb") as out:
            while chunk := stream.read(CHUNK_BYTES):
                size += len(chunk)
                if limit is not None and size > limit:
                    raise too_large()
                digest.update(chunk)
                out.write(chunk)
        yield Spooled(path=path, size_bytes=size, sha256=digest.hexdigest())


def keep(db: Session, kind: str, name: str, path: Path) -> str:
    """Move a checked local file into storage under `kind/name`; gone again if the request rolls back."""
    store = storage()
    stored_key = key(kind, name)
    store.put_file(stored_key, path)
    remove_on_rollback(db, store, stored_key)
    return stored_key


def forget_after_commit(db: Session, kind: str, *names: str | None) -> None:
    """Delete these stored files once the transaction that forgets their records commits."""
    remove_after_commit(db, storage(), *(key(kind, n) for n in names if n))


def store_document(db: Session, stream: BinaryIO, kind: str) -> StoredDocument:
    """Check a document or evidence upload (cap, not empty, PDF/PNG/JPEG/DOCX/XLSX) and keep it."""
    with spool(stream, limit=max_upload_bytes()) as spooled:
        if spooled.size_bytes == 0:
            raise ServiceError(_("The file is empty."))
        content_type = sniff_content_type(spooled.path)
        if content_type is None:
            raise ServiceError(
                _("This kind of file is not accepted. Upload a PDF, PNG, JPEG, DOCX or XLSX file.")
            )
        stored_name = secrets.token_hex(16)
        keep(db, kind, stored_name, spooled.path)
    return StoredDocument(stored_name, spooled.size_bytes, spooled.sha256, content_type)


def sniff_content_type(path: Path) -> str | None:
    """The type of a file from its first bytes (and, for zips, its [Content_Types].xml)."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _office_type(path)
    return None


def _office_type(path: Path) -> str | None:
    """DOCX or XLSX when the zip is sane and declares that main part; None otherwise."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > ZIP_MAX_MEMBERS:
                return None
            total = 0
            for member in members:
                name = member.filename
                if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
                    return None
                total += member.file_size
                if member.compress_size and member.file_size / member.compress_size > ZIP_MAX_RATIO:
                    return None
            if total > ZIP_MAX_TOTAL_BYTES:
                return None
            try:
                info = archive.getinfo("[Content_Types].xml")
            except KeyError:
                return None
            if info.file_size > CONTENT_TYPES_MAX_BYTES:
                return None
            with archive.open(info) as handle:
                declared = handle.read(CONTENT_TYPES_MAX_BYTES + 1).decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, ValueError):
        return None
    for marker, content_type in _OOXML_MAIN.items():
        if marker in declared:
            return content_type
    return None


def display_name(raw: str | None, fallback: str = "upload") -> str:
    """A file name fit for showing: NFC, last path part, no control characters, bounded length."""
    text = unicodedata.normalize("NFC", raw or "")
    text = _CONTROL.sub("", text).replace("\\", "/").rsplit("/", 1)[-1].strip().strip(".")
    if not text:
        return fallback
    if len(text) > MAX_DISPLAY_NAME:
        _stem, dot, ext = text.rpartition(".")
        ext = ext[:12] if dot and len(ext) <= 12 else ""
        text = text[: MAX_DISPLAY_NAME - len(ext) - 1] + ("." + ext if ext else "")
    return text


def download_name(raw: str, suffix: str = "", fallback: str = "download") -> str:
    """An ASCII attachment name built from a display name (letters, digits, dot, dash, underscore)."""
    ascii_text = unicodedata.normalize("NFKD", raw or "").encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_text).strip("._") or fallback
    return cleaned[:120] + suffix


def document_download_name(original: str, content_type: str, fallback: str) -> str:
    """A document's attachment name, ending in the extension of its detected type."""
    stem = (original or "").rsplit(".", 1)[0]
    return download_name(stem, "." + EXTENSIONS.get(content_type, "bin"), fallback)
