"""Dataset files on disk: generated names inside DATA_DIR, SHA-256 and size, cleaned up with the transaction.

Uploaded names are never used on disk. Files written during a request are deleted again when the
database transaction rolls back; files of deleted records are removed only once the delete commits.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import abort, current_app
from sqlmodel import Session

from portal import filestore

CHUNK_BYTES = 1024 * 1024
_STORED_NAME = re.compile(r"^ds_[0-9a-f]{32}(\.parquet)?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_DISPLAY_NAME = 200


@dataclass(frozen=True)
class StoredFile:
    name: str
    sha256: str
    size_bytes: int


def data_dir() -> Path:
    """The folder holding every dataset file (created on first use)."""
    folder = Path(current_app.config["DATA_DIR"]) / "datasets"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def max_upload_bytes() -> int:
    """PORTAL_MAX_UPLOAD_MB in bytes: a file of exactly this size is accepted, one byte more is not."""
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


def new_name(suffix: str = "") -> str:
    """A fresh server-generated file name."""
    return f"ds_{secrets.token_hex(16)}{suffix}"


def path_for(name: str) -> Path:
    """The path of a stored file; refuses anything that is not one of our generated names."""
    if not _STORED_NAME.match(name or ""):
        raise ValueError("not a stored dataset file name")
    return data_dir() / name


def save_stream(db: Session, stream: BinaryIO, *, limit: int | None) -> StoredFile:
    """Copy an upload to a new file, hashing as it goes; over `limit` bytes → 413, nothing kept.

    `limit=None` means no limit (the command line, run by an operator on the server).
    """
    name = new_name()
    target = path_for(name)
    digest = hashlib.sha256()
    size = 0
    try:
        with open(target, "xb") as out:
            while chunk := stream.read(CHUNK_BYTES):
                size += len(chunk)
                if limit is not None and size > limit:
                    raise _TooLarge
                digest.update(chunk)
                out.write(chunk)
    except _TooLarge:
        remove_now(name)
        abort(413)
    except BaseException:
        remove_now(name)
        raise
    remove_on_rollback(db, name)
    return StoredFile(name=name, sha256=digest.hexdigest(), size_bytes=size)


def adopt(db: Session, source: Path) -> StoredFile:
    """Move a file we produced (an extracted archive member) under a generated name."""
    name = new_name()
    target = path_for(name)
    digest = hashlib.sha256()
    with open(source, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    shutil.move(str(source), target)
    remove_on_rollback(db, name)
    return StoredFile(name=name, sha256=digest.hexdigest(), size_bytes=target.stat().st_size)


class _TooLarge(Exception):
    pass


def remove_now(name: str | None) -> None:
    """Delete a stored file if it exists."""
    if not name:
        return
    with contextlib.suppress(OSError, ValueError):
        path_for(name).unlink(missing_ok=True)


def remove_on_rollback(db: Session, *names: str | None) -> None:
    """Delete these new files if the transaction that records them rolls back."""
    filestore.remove_on_rollback(db, *(path_for(n) for n in names if n))


def remove_after_commit(db: Session, *names: str | None) -> None:
    """Delete these files once the transaction that forgets them commits."""
    filestore.remove_after_commit(db, *(path_for(n) for n in names if n))


def display_name(raw: str | None, fallback: str = "upload") -> str:
    """A file name fit for showing: last path part, no control characters, bounded length."""
    text = unicodedata.normalize("NFC", raw or "")
    text = _CONTROL.sub("", text).replace("\\", "/").rsplit("/", 1)[-1].strip().strip(".")
    if not text:
        return fallback
    if len(text) > MAX_DISPLAY_NAME:
        _stem, dot, ext = text.rpartition(".")
        ext = ext[:12] if dot and len(ext) <= 12 else ""
        text = text[: MAX_DISPLAY_NAME - len(ext) - 1] + ("." + ext if ext else "")
    return text


def download_name(raw: str, suffix: str = "") -> str:
    """An ASCII attachment name built from a display name (letters, digits, dot, dash, underscore)."""
    ascii_text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_text).strip("._") or "dataset-file"
    return cleaned[:120] + suffix
