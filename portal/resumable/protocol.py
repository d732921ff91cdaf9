"""The tus 1.0.0 wire format: headers in and out, with no Flask and no database.

https://tus.io/protocols/resumable-upload (core, creation, termination, expiration, checksum).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

VERSION = "1.0.0"
EXTENSIONS = "creation,termination,expiration,checksum"
CHECKSUM_ALGORITHMS = ("sha1", "sha256", "md5")  # sha1 is the one every server must know
CHECKSUM_MISMATCH = "460 Checksum Mismatch"  # tus's own status
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
MAX_METADATA_CHARS = 4096


class ProtocolError(ValueError):
    """A request that breaks the protocol; `status` is the answer the spec asks for."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def check_version(header: str | None) -> None:
    """Every request but OPTIONS names the protocol version; another one → 412."""
    if header != VERSION:
        raise ProtocolError("Tus-Resumable must be 1.0.0", status=412)


def parse_length(header: str | None, name: str) -> int:
    """A non-negative decimal byte count from a header (Upload-Length, Upload-Offset)."""
    text = (header or "").strip()
    if not text.isdigit() or len(text) > 19:
        raise ProtocolError(f"{name} must be a non-negative whole number of bytes")
    return int(text)


def parse_metadata(header: str | None) -> dict[str, str]:
    """Upload-Metadata: comma-separated `key base64value` pairs (a value may be absent)."""
    if not header:
        return {}
    if len(header) > MAX_METADATA_CHARS:
        raise ProtocolError("Upload-Metadata is too long")
    pairs: dict[str, str] = {}
    for item in header.split(","):
        parts = item.strip().split(" ")
        if not parts[0] or len(parts) > 2:
            raise ProtocolError("Upload-Metadata must be comma-separated 'key base64value' pairs")
        try:
            value = (
                base64.b64decode(parts[1], validate=True).decode("utf-8") if len(parts) == 2 else ""
            )
        except (binascii.Error, UnicodeDecodeError):
            raise ProtocolError("Upload-Metadata values must be base64 of UTF-8 text") from None
        pairs[parts[0]] = value
    return pairs


@dataclass(frozen=True)
class Checksum:
    """What a PATCH says its body hashes to (Upload-Checksum)."""

    algorithm: str
    digest: bytes

    def hasher(self):
        """A fresh hash object of the named algorithm (an integrity check, not a secret)."""
        return hashlib.new(self.algorithm, usedforsecurity=False)


def parse_checksum(header: str | None) -> Checksum | None:
    """Upload-Checksum: `algorithm base64digest`; absent → None, unknown algorithm or odd → 400."""
    if header is None:
        return None
    parts = header.strip().split(" ")
    if len(parts) != 2 or not parts[0] or not parts[1]:
        raise ProtocolError("Upload-Checksum must be 'algorithm base64digest'")
    algorithm = parts[0].lower()
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise ProtocolError(
            f"Upload-Checksum algorithm must be one of {','.join(CHECKSUM_ALGORITHMS)}"
        )
    try:
        digest = base64.b64decode(parts[1], validate=True)
    except binascii.Error:
        raise ProtocolError("Upload-Checksum digest must be base64") from None
    checksum = Checksum(algorithm, digest)
    if len(digest) != checksum.hasher().digest_size:
        raise ProtocolError(f"Upload-Checksum digest is not the length of a {algorithm} digest")
    return checksum


def common_headers() -> dict[str, str]:
    """Headers on every tus answer (Cache-Control: a HEAD answer must never come from a cache)."""
    return {"Tus-Resumable": VERSION, "Cache-Control": "no-store"}


def options_headers(max_size: int) -> dict[str, str]:
    """What OPTIONS tells a client about this server."""
    return {
        **common_headers(),
        "Tus-Version": VERSION,
        "Tus-Extension": EXTENSIONS,
        "Tus-Max-Size": str(max_size),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
    }


def expires_header(moment: datetime) -> str:
    """Upload-Expires in the RFC 7231 date format."""
    return format_datetime(moment, usegmt=True)
