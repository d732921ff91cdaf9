"""Local copies of remote objects that code needs as files, kept on this node up to a size cap.

A plot of cycles outside the stored preview, the normalised CSV and the comparison all read a
Parquet table by path. From S3 each of those requests used to download the whole table again;
now the first one keeps a copy here, and later ones reuse it while the object's ETag is unchanged
(a re-ingest that writes the same key again gets a new ETag, so a new copy).

Each use gets its own hard link to the copy, in a folder of its own, so evicting the least
recently used copies never pulls a file from under a request that is reading it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from portal.storage.base import ObjectInfo

PART_SUFFIX = ".part"
IN_USE_PREFIX = ".in-use-"
# What a worker killed mid-request left (a half-fetched copy, a reader's link) is removed after this.
LEFTOVER_SECONDS = 24 * 3600


class LocalCopies:
    """A folder of whole-object copies named by key and ETag, the oldest used removed first."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = Path(folder)
        self.max_bytes = max_bytes

    def _name(self, key: str, etag: str) -> str:
        version = hashlib.sha256(etag.encode()).hexdigest()[:16]
        return f"{key.replace('/', '__')}.{version}"

    @contextmanager
    def path_of(
        self, key: str, info: ObjectInfo, fetch: Callable[[Path], None]
    ) -> Iterator[Path | None]:
        """A file with the object's bytes (``fetch`` writes them on a miss); None when the object
        alone is larger than the cap, for the caller to copy it some other way."""
        if info.size > self.max_bytes:
            yield None
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        copy = self.folder / self._name(key, info.etag)
        with tempfile.TemporaryDirectory(prefix=IN_USE_PREFIX, dir=self.folder) as in_use:
            link = Path(in_use) / key.rsplit("/", 1)[-1]
            if not _link_to_kept(copy, info.size, link):
                part = copy.with_name(f".{copy.name}.{secrets.token_hex(4)}{PART_SUFFIX}")
                try:
                    fetch(part)
                    os.link(part, link)
                    os.replace(part, copy)  # another worker fetching the same copy is harmless
                finally:
                    part.unlink(missing_ok=True)
                self._evict(keep=copy)
            yield link

    def _evict(self, keep: Path) -> None:
        """Remove the least recently used copies until the folder is within its cap."""
        copies = []
        for path in self.folder.iterdir():
            if path.name.startswith("."):
                _remove_if_left_over(path)
                continue
            if not path.is_file():
                continue
            with contextlib.suppress(FileNotFoundError):  # another worker evicted it meanwhile
                info = path.stat()
                copies.append((info.st_mtime_ns, info.st_size, path))
        total = sum(size for _used, size, _path in copies)
        for _used, size, path in sorted(copies):
            if total <= self.max_bytes:
                break
            if path != keep:
                path.unlink(missing_ok=True)
                total -= size


def _remove_if_left_over(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if time.time() - path.stat().st_mtime < LEFTOVER_SECONDS:
            return
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _link_to_kept(copy: Path, size: int, link: Path) -> bool:
    """Link ``link`` to a kept copy of the right size and mark it used; False when there is none
    (or another worker evicted it this instant)."""
    try:
        if copy.stat().st_size != size:
            return False
        os.link(copy, link)
    except FileNotFoundError:
        return False
    os.utime(copy)  # the most recently used
    return True
