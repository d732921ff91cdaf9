"""s3://bucket/prefix storage on boto3, for AWS S3, MinIO or Ceph RGW (any S3-compatible endpoint)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from portal.storage.base import CHUNK_BYTES, ObjectInfo, Storage, check_key
from portal.storage.copies import LocalCopies

_MISSING = {"404", "NoSuchKey", "NotFound"}


class S3Storage(Storage):
    """Objects under `prefix/` in one bucket; uploads go multipart above boto3's threshold."""

    def __init__(self, bucket: str, prefix: str, client, copies: LocalCopies | None = None):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client
        self.copies = copies
        self.url = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"

    def _name(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, stream: BinaryIO) -> int:
        """Upload the stream (an S3 object appears whole or not at all)."""
        name = self._name(key)
        self.client.upload_fileobj(stream, self.bucket, name)
        return self.stat(key).size

    def open(self, key: str) -> BinaryIO:
        """The object's body, streamed from the endpoint as it is read."""
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"]
        except ClientError as error:
            raise _not_found(error, key) from error

    def read_range(self, key: str, start: int, length: int) -> Iterator[bytes]:
        """One ranged GET, passed on chunk by chunk."""
        if length <= 0:
            return
        try:
            body = self.client.get_object(
                Bucket=self.bucket,
                Key=self._name(key),
                Range=f"bytes={start}-{start + length - 1}",
            )["Body"]
        except ClientError as error:
            raise _not_found(error, key) from error
        try:
            yield from body.iter_chunks(CHUNK_BYTES)
        finally:
            body.close()

    def stat(self, key: str) -> ObjectInfo:
        """HEAD the object: its length and the endpoint's ETag."""
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            raise _not_found(error, key) from error
        return ObjectInfo(size=int(head["ContentLength"]), etag=head["ETag"].strip('"'))

    @contextmanager
    def local_path(self, key: str, *, reuse: bool = False) -> Iterator[Path]:
        """A downloaded copy; with ``reuse``, this node's kept copy while the ETag is unchanged."""
        if reuse and self.copies is not None:
            info = self.stat(key)
            with self.copies.path_of(key, info, lambda target: self._download(key, target)) as kept:
                if kept is not None:
                    yield kept
                    return
        with super().local_path(key) as path:
            yield path

    def _download(self, key: str, target: Path) -> None:
        try:
            self.client.download_file(self.bucket, self._name(key), str(target))
        except ClientError as error:
            raise _not_found(error, key) from error

    def delete(self, key: str) -> None:
        """DELETE the object (S3 answers success for a missing key too)."""
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def iter_keys(self) -> Iterator[str]:
        """List the prefix page by page."""
        start = f"{self.prefix}/" if self.prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=start
        )
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"][len(start) :]
                # Someone else's object under the prefix is not ours (and must not name a path).
                with contextlib.suppress(ValueError):
                    yield check_key(name)


def _not_found(error: ClientError, key: str) -> Exception:
    code = str(error.response.get("Error", {}).get("Code", ""))
    return FileNotFoundError(key) if code in _MISSING else error


def make_client(
    *,
    endpoint_url: str | None,
    region: str | None,
    access_key: str | None,
    secret_key: str | None,
):
    """A boto3 S3 client; without explicit keys boto3 reads the standard AWS variables and files."""
    credentials = (
        {"aws_access_key_id": access_key, "aws_secret_access_key": secret_key}
        if access_key and secret_key
        else {}
    )
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url or None,
        # The standard AWS_REGION / AWS_DEFAULT_REGION apply when PORTAL_S3_REGION is empty.
        region_name=region or None,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}),
        **credentials,
    )
