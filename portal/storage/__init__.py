"""One storage layer for every stored file: `file://` (PORTAL_DATA_DIR, the default) or `s3://`.

Callers name objects by key (`<kind>/<name>`, see `key`); the database keeps the name, the kind
is fixed by the column. Nothing outside this package knows where the bytes live.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app

from portal.config import ConfigError
from portal.storage.base import ObjectInfo, Storage, check_key
from portal.storage.copies import LocalCopies
from portal.storage.local import FileStorage

__all__ = ["FileStorage", "ObjectInfo", "Storage", "key", "open_storage", "storage"]

_EXTENSION = "storage"


def key(kind: str, name: str) -> str:
    """The storage key of a stored name of one kind (`datasets`, `agreements`, `evidence`)."""
    return check_key(f"{kind}/{name}")


def open_storage(settings: dict) -> Storage:
    """The backend that PORTAL_STORAGE_URL names (empty: file:// on PORTAL_DATA_DIR)."""
    url = settings.get("STORAGE_URL") or ""
    if not url:
        return FileStorage(Path(settings["DATA_DIR"]))
    parts = urlsplit(url)
    if parts.scheme == "file":
        return FileStorage(Path(unquote(parts.path)))
    if parts.scheme == "s3" and parts.netloc:
        from portal.storage.s3 import S3Storage, make_client  # boto3 only when s3:// is used

        client = make_client(
            endpoint_url=settings.get("S3_ENDPOINT_URL"),
            region=settings.get("S3_REGION"),
            access_key=settings.get("S3_ACCESS_KEY_ID"),
            secret_key=settings.get("S3_SECRET_ACCESS_KEY"),
        )
        return S3Storage(parts.netloc, parts.path, client, _local_copies(settings))
    raise ValueError(f"PORTAL_STORAGE_URL must be file:///path or s3://bucket/prefix, not {url!r}")


def _local_copies(settings: dict) -> LocalCopies | None:
    """This node's kept copies of remote tables (PORTAL_STORAGE_CACHE_MB; 0 keeps none)."""
    megabytes = int(settings.get("STORAGE_CACHE_MB") or 0)
    if megabytes <= 0:
        return None
    return LocalCopies(Path(settings["STORAGE_CACHE_DIR"]), megabytes * 1024 * 1024)


def init_app(app: Flask) -> None:
    """Open the configured backend once per app; a malformed URL stops the start-up."""
    try:
        app.extensions[_EXTENSION] = open_storage(app.config)
    except ValueError as error:
        raise ConfigError(str(error)) from error


def storage() -> Storage:
    """The current app's storage backend."""
    return current_app.extensions[_EXTENSION]
