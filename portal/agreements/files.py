"""Uploaded files: size capped exactly, type decided from the content, stored under generated names.

Pure helpers (no database): the services decide what the stored file belongs to.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from werkzeug.utils import secure_filename

from portal.errors import ServiceError

CHUNK = 64 * 1024
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


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    size_bytes: int
    sha256: str
    content_type: str


def max_upload_bytes() -> int:
    """The configured cap (PORTAL_MAX_UPLOAD_MB), in bytes."""
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


def storage_dir(kind: str) -> Path:
    """The folder under DATA_DIR for one kind of file (created on first use)."""
    folder = Path(current_app.config["DATA_DIR"]) / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_path(kind: str, stored_name: str) -> Path:
    """Where a stored file lives; the name is ours (hex), never the uploader's."""
    if not stored_name or not all(c in "0123456789abcdef" for c in stored_name):
        raise ValueError("not a generated file name")
    return storage_dir(kind) / stored_name


def _size_of(stream: IO[bytes]) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


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


def store_upload(stream: IO[bytes], kind: str) -> StoredFile:
    """Check the size and type of an upload and keep it under a generated name.

    Over the cap: 413 before a byte is written. Unrecognised content: the temporary copy is removed.
    """
    size = _size_of(stream)
    if size > max_upload_bytes():
        raise ServiceError(
            _(
                "The file is larger than the %(mb)d MB the portal accepts.",
                mb=current_app.config["MAX_UPLOAD_MB"],
            ),
            status=413,
        )
    if size == 0:
        raise ServiceError(_("The file is empty."))
    folder = storage_dir(kind)
    stored_name = secrets.token_hex(16)
    final = folder / stored_name
    partial = folder / f".{stored_name}.part"
    digest = hashlib.sha256()
    try:
        with partial.open("xb") as out:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        content_type = sniff_content_type(partial)
        if content_type is None:
            raise ServiceError(
                _("This kind of file is not accepted. Upload a PDF, PNG, JPEG, DOCX or XLSX file.")
            )
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return StoredFile(stored_name, size, digest.hexdigest(), content_type)


def display_filename(original: str) -> str:
    """The uploader's file name trimmed for display (never used on disk)."""
    cleaned = "".join(ch for ch in (original or "") if ch.isprintable() and ch not in "/\\")
    return cleaned.strip()[-255:]


def download_name(original: str, content_type: str, fallback: str) -> str:
    """A safe attachment name that ends in the extension of the detected type."""
    extension = EXTENSIONS.get(content_type, "bin")
    stem = secure_filename(original or "").rsplit(".", 1)[0][:100] or fallback
    return f"{stem}.{extension}"
