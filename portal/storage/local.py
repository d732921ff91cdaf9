"""file:// storage: one folder per kind under a root (PORTAL_DATA_DIR), today's layout."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from portal.storage.base import CHUNK_BYTES, ObjectInfo, Storage, check_key


class FileStorage(Storage):
    """Objects as files `<root>/<kind>/<name>`, written to a hidden part file and renamed."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.url = self.root.resolve().as_uri()

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _part(self, target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        return target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")

    def put(self, key: str, stream: BinaryIO) -> int:
        """Copy the stream to a part file, then rename it into place (readers never see half)."""
        target = self._path(key)
        partial = self._part(target)
        try:
            with open(partial, "xb") as out:
                shutil.copyfileobj(stream, out, CHUNK_BYTES)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        return target.stat().st_size

    def put_file(self, key: str, path: Path) -> int:
        """Move the file into place (a rename when it is on the same file system)."""
        target = self._path(key)
        partial = self._part(target)
        try:
            shutil.move(str(path), partial)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        return target.stat().st_size

    def open(self, key: str) -> BinaryIO:
        """The file, opened for reading."""
        return open(self._path(key), "rb")  # the caller closes it

    def read_range(self, key: str, start: int, length: int) -> Iterator[bytes]:
        """Seek and read at most one chunk at a time."""
        with self.open(key) as handle:
            handle.seek(start)
            remaining = length
            while remaining > 0 and (chunk := handle.read(min(CHUNK_BYTES, remaining))):
                remaining -= len(chunk)
                yield chunk

    def stat(self, key: str) -> ObjectInfo:
        """Size, and an entity tag from size and modification time (files never change in place)."""
        info = self._path(key).stat()
        return ObjectInfo(size=info.st_size, etag=f"{info.st_size:x}-{info.st_mtime_ns:x}")

    def delete(self, key: str) -> None:
        """Unlink the file if it is there."""
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()

    def iter_keys(self) -> Iterator[str]:
        """Every `<kind>/<name>` file under the root, skipping part files and stray folders."""
        if not self.root.is_dir():
            return
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir()):
            for path in sorted(folder.iterdir()):
                key = f"{folder.name}/{path.name}"
                if path.is_file() and not path.name.startswith("."):
                    with contextlib.suppress(ValueError):
                        yield check_key(key)

    @contextmanager
    def local_path(self, key: str, *, reuse: bool = False) -> Iterator[Path]:
        """The stored file itself: no copy on the file backend."""
        path = self._path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        yield path
