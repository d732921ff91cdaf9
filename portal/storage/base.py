"""The storage interface every backend implements: keys in, byte streams out."""

from __future__ import annotations

import re
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK_BYTES = 1024 * 1024
# A key is "<kind>/<generated name>": lower-case kind, then letters, digits, dot, dash, underscore.
_KEY = re.compile(r"^[a-z][a-z0-9_-]*/[A-Za-z0-9_-][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class ObjectInfo:
    """What the layer knows about one stored object."""

    size: int
    etag: str


def check_key(key: str) -> str:
    """The key itself when it is one of ours; ValueError for anything that could escape a folder."""
    if not isinstance(key, str) or not _KEY.match(key) or ".." in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


class Storage(ABC):
    """Small files kept under keys; every method takes a key made by `portal.storage.key`."""

    url: str

    @abstractmethod
    def put(self, key: str, stream: BinaryIO) -> int:
        """Store everything `stream` yields under `key` (replacing nothing half-written); the size."""

    def put_file(self, key: str, path: Path) -> int:
        """Store a local file under `key` (a backend may move it instead of copying)."""
        with open(path, "rb") as stream:
            return self.put(key, stream)

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A readable stream of the object (the caller closes it); FileNotFoundError if absent."""

    @abstractmethod
    def read_range(self, key: str, start: int, length: int) -> Iterator[bytes]:
        """`length` bytes from offset `start`, in chunks, without reading the rest."""

    @abstractmethod
    def stat(self, key: str) -> ObjectInfo:
        """Size and entity tag; FileNotFoundError if absent."""

    def size(self, key: str) -> int:
        """The object's length in bytes."""
        return self.stat(key).size

    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""
        try:
            self.stat(key)
        except FileNotFoundError:
            return False
        return True

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; a missing one is not an error."""

    @abstractmethod
    def iter_keys(self) -> Iterator[str]:
        """Every stored key (for backup), in no particular order."""

    @contextmanager
    def local_path(self, key: str, *, reuse: bool = False) -> Iterator[Path]:
        """A local file with the object's bytes for code that needs a path; removed afterwards.

        ``reuse``: the caller reads the object again and again (plots, exports), so a backend
        that keeps local copies may serve it from one (`portal.storage.copies`).
        """
        with tempfile.TemporaryDirectory(prefix="portal-spool-") as folder:
            target = Path(folder) / key.rsplit("/", 1)[-1]
            with self.open(key) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out, CHUNK_BYTES)
            yield target
