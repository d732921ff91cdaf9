"""moto's standalone server as a real HTTP S3 endpoint on 127.0.0.1 (it stands in for MinIO,
Ceph RGW or AWS S3): started once per run, a fresh bucket per test."""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
import pytest

ACCESS_KEY = "portal-test-key"
SECRET_KEY = "portal-test-secret"
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Endpoint:
    """A running S3-compatible server."""

    url: str

    def client(self):
        """A boto3 client talking to this endpoint (to look at buckets behind the portal's back)."""
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )


@dataclass(frozen=True)
class S3Bucket:
    """One test's bucket and the portal settings that point at it."""

    endpoint: S3Endpoint
    name: str
    prefix: str

    @property
    def settings(self) -> dict:
        """PORTAL_STORAGE_URL and friends, as create_app overrides."""
        return {
            "STORAGE_URL": f"s3://{self.name}/{self.prefix}",
            "S3_ENDPOINT_URL": self.endpoint.url,
            "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def object_keys(self) -> list[str]:
        """Every object name in the bucket, read directly from the endpoint."""
        listing = self.endpoint.client().list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listing.get("Contents", []))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_listening(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("moto_server did not start listening")


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[S3Endpoint]:
    """moto_server in its own process on a free loopback port, for the whole run."""
    with moto_server() as endpoint:
        yield endpoint


@contextmanager
def moto_server() -> Iterator[S3Endpoint]:
    """Start moto_server on a free loopback port; stopped when the block ends."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_listening(port, process)
        yield S3Endpoint(url=f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_bucket(s3_endpoint) -> S3Bucket:
    """A new, empty bucket for one test."""
    name = f"portal-test-{secrets.token_hex(4)}"
    s3_endpoint.client().create_bucket(Bucket=name)
    return S3Bucket(endpoint=s3_endpoint, name=name, prefix="files")


@pytest.fixture(params=["file", "s3"])
def storage_settings(request) -> dict:
    """Run a test once on the file backend (PORTAL_DATA_DIR) and once on S3 (a fresh bucket)."""
    if request.param == "file":
        return {}
    return request.getfixturevalue("s3_bucket").settings
