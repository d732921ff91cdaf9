"""The bytes of an unfinished resumable upload, staged where any web node can add the next chunk.

file://: one file per upload, appended to, under the storage root (PORTAL_DATA_DIR by default).
s3://:   one S3 multipart upload per upload; each chunk of at least 5 MiB becomes a part, and a
         shorter piece (a dropped connection mid-chunk) waits in a small "tail" object until the
         next chunk completes it. The final chunk completes the multipart upload.

Staged objects live under `.staging/`, a name no storage key can take (keys start with a
lower-case letter), so backups and `iter_keys` never list them and no stored file can collide.
The state a backend needs between chunks is a small dict the caller keeps in the database.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from portal.storage.base import CHUNK_BYTES, Storage
from portal.storage.local import FileStorage

STAGING_FOLDER = ".staging"
# S3's smallest part (every part but the last): the tus chunk size must be at least this.
S3_MIN_PART_BYTES = 5 * 1024 * 1024

State = dict[str, Any]


class Staging(ABC):
    """Append-only staging of one upload's bytes, named by a server-generated `name`."""

    @abstractmethod
    def start(self, name: str) -> State:
        """Prepare an empty upload; the state to keep with it."""

    @abstractmethod
    def append(self, name: str, state: State, offset: int, chunk: Path, *, final: bool) -> State:
        """Add the bytes of local file `chunk` after the first `offset` staged bytes; new state.

        `final` says these are the upload's last bytes: the staged upload is then complete.
        """

    @abstractmethod
    @contextmanager
    def finished(self, name: str, state: State) -> Iterator[BinaryIO]:
        """A readable stream of a completed upload's bytes."""

    @abstractmethod
    def discard(self, name: str, state: State) -> None:
        """Remove everything staged for the upload (a missing piece is not an error)."""

    @abstractmethod
    def staged_before(self, moment: datetime) -> Iterator[tuple[str, State]]:
        """Every staged upload begun or last written before `moment`, with a state that lets
        `discard` remove it (for the sweep of leftovers whose database row never committed)."""


class FileStaging(Staging):
    """A file `<root>/.staging/<name>`, truncated to the recorded offset, then appended to."""

    def __init__(self, root: Path) -> None:
        self.folder = Path(root) / STAGING_FOLDER

    def _path(self, name: str) -> Path:
        return self.folder / name

    def start(self, name: str) -> State:
        """Create the empty staging file."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._path(name).touch(exist_ok=False)
        return {}

    def append(self, name: str, state: State, offset: int, chunk: Path, *, final: bool) -> State:
        """Bytes past `offset` (a write whose commit never happened) are cut before appending."""
        with open(self._path(name), "r+b") as out, open(chunk, "rb") as source:
            out.truncate(offset)
            out.seek(offset)
            shutil.copyfileobj(source, out, CHUNK_BYTES)
            out.flush()
            os.fsync(out.fileno())
        return state

    @contextmanager
    def finished(self, name: str, state: State) -> Iterator[BinaryIO]:
        """The staging file itself."""
        with open(self._path(name), "rb") as stream:
            yield stream

    def discard(self, name: str, state: State) -> None:
        """Unlink the staging file."""
        self._path(name).unlink(missing_ok=True)

    def staged_before(self, moment: datetime) -> Iterator[tuple[str, State]]:
        """Staging files last modified before `moment`."""
        if not self.folder.is_dir():
            return
        cutoff = moment.timestamp()
        for path in sorted(self.folder.iterdir()):
            if path.is_file() and path.stat().st_mtime < cutoff:
                yield path.name, {}


class S3Staging(Staging):
    """An S3 multipart upload to `<prefix>/.staging/<name>`, plus `<name>.tail` for a short piece."""

    def __init__(self, store) -> None:
        self.client = store.client
        self.bucket = store.bucket
        self.prefix = f"{store.prefix}/{STAGING_FOLDER}" if store.prefix else STAGING_FOLDER

    def _object(self, name: str) -> str:
        return f"{self.prefix}/{name}"

    def _tail(self, name: str) -> str:
        return f"{self.prefix}/{name}.tail"

    def start(self, name: str) -> State:
        """Open the multipart upload."""
        created = self.client.create_multipart_upload(Bucket=self.bucket, Key=self._object(name))
        return {"upload_id": created["UploadId"], "parts": [], "tail": 0}

    def append(self, name: str, state: State, offset: int, chunk: Path, *, final: bool) -> State:
        """Tail + chunk becomes the next part once it reaches 5 MiB (or is the last); else the tail."""
        state = {**state, "parts": [list(p) for p in state.get("parts", [])]}
        with tempfile.TemporaryDirectory(prefix="portal-stage-") as folder:
            piece = Path(folder) / "piece"
            with open(piece, "wb") as out:
                if state["tail"]:
                    body = self.client.get_object(
                        Bucket=self.bucket,
                        Key=self._tail(name),
                        Range=f"bytes=0-{state['tail'] - 1}",
                    )["Body"]
                    shutil.copyfileobj(body, out, CHUNK_BYTES)
                with open(chunk, "rb") as source:
                    shutil.copyfileobj(source, out, CHUNK_BYTES)
            size = piece.stat().st_size
            if size >= S3_MIN_PART_BYTES or (final and size > 0):
                number = len(state["parts"]) + 1
                with open(piece, "rb") as body:
                    answer = self.client.upload_part(
                        Bucket=self.bucket,
                        Key=self._object(name),
                        UploadId=state["upload_id"],
                        PartNumber=number,
                        Body=body,
                        ContentLength=size,
                    )
                state["parts"].append([number, answer["ETag"]])
                state["tail"] = 0
                self.client.delete_object(Bucket=self.bucket, Key=self._tail(name))
            elif size:
                with open(piece, "rb") as body:
                    self.client.put_object(Bucket=self.bucket, Key=self._tail(name), Body=body)
                state["tail"] = size
        if final:
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=self._object(name),
                UploadId=state["upload_id"],
                MultipartUpload={
                    "Parts": [{"PartNumber": n, "ETag": e} for n, e in state["parts"]]
                },
            )
            state["complete"] = True
        return state

    @contextmanager
    def finished(self, name: str, state: State) -> Iterator[BinaryIO]:
        """The completed object, streamed from the endpoint."""
        body = self.client.get_object(Bucket=self.bucket, Key=self._object(name))["Body"]
        try:
            yield body
        finally:
            body.close()

    def discard(self, name: str, state: State) -> None:
        """Abort the multipart upload (its parts go with it), delete the tail and the object."""
        from botocore.exceptions import ClientError

        if state.get("upload_id") and not state.get("complete"):
            with contextlib.suppress(ClientError):
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=self._object(name), UploadId=state["upload_id"]
                )
        for key in (self._tail(name), self._object(name)):
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def staged_before(self, moment: datetime) -> Iterator[tuple[str, State]]:
        """Multipart uploads begun, and tail or completed objects written, before `moment`."""
        start = f"{self.prefix}/"
        uploads = self.client.get_paginator("list_multipart_uploads")
        for page in uploads.paginate(Bucket=self.bucket, Prefix=start):
            for item in page.get("Uploads", []):
                if _aware(item["Initiated"]) < moment:
                    yield item["Key"][len(start) :], {"upload_id": item["UploadId"]}
        objects = self.client.get_paginator("list_objects_v2")
        for page in objects.paginate(Bucket=self.bucket, Prefix=start):
            for item in page.get("Contents", []):
                if _aware(item["LastModified"]) < moment:
                    yield item["Key"][len(start) :].removesuffix(".tail"), {}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def staging_for(store: Storage) -> Staging:
    """The staging that matches a storage backend."""
    if isinstance(store, FileStorage):
        return FileStaging(store.root)
    from portal.storage.s3 import S3Storage  # boto3 only when s3:// is used

    if isinstance(store, S3Storage):
        return S3Staging(store)
    raise TypeError(f"no resumable staging for {type(store).__name__}")
