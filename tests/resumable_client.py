"""A small tus 1.0.0 client over the Flask test client, for the resumable-upload tests."""

from __future__ import annotations

import base64
import hashlib
import io

TUS = {"Tus-Resumable": "1.0.0"}
OFFSET_TYPE = "application/offset+octet-stream"


class TusClient:
    """Speaks tus to the portal as tus-js-client does: CSRF token in a header, one PATCH a chunk."""

    def __init__(self, client) -> None:
        self.client = client
        self.token = client.csrf_token()

    def _headers(self, **extra: str) -> dict[str, str]:
        return {**TUS, "X-CSRFToken": self.token, **extra}

    def create(self, slug: str, length: int, filename: str = "cells.csv"):
        """POST a new upload; the response (201 with Location when accepted)."""
        encoded = base64.b64encode(filename.encode()).decode()
        return self.client.post(
            f"/admin/datasets/{slug}/uploads",
            headers=self._headers(
                **{"Upload-Length": str(length), "Upload-Metadata": f"filename {encoded}"}
            ),
        )

    def head(self, location: str):
        """Where the upload stands."""
        return self.client.head(location, headers=self._headers())

    def patch(
        self,
        location: str,
        offset: int,
        data: bytes,
        *,
        declared: int | None = None,
        checksum: str | None = None,
    ):
        """Send `data` at `offset`; `declared` > len(data) imitates a connection dropped mid-body;
        `checksum` is sent as Upload-Checksum."""
        headers = self._headers(
            **{
                "Upload-Offset": str(offset),
                "Content-Type": OFFSET_TYPE,
                "Content-Length": str(declared if declared is not None else len(data)),
                **({"Upload-Checksum": checksum} if checksum is not None else {}),
            }
        )
        return self.client.patch(location, input_stream=io.BytesIO(data), headers=headers)

    def delete(self, location: str):
        """Terminate the upload."""
        return self.client.delete(location, headers=self._headers())

    def send(self, location: str, data: bytes, chunk: int, start: int = 0) -> list[int]:
        """PATCH the rest of `data` from `start` in chunks; the offsets the server answered."""
        offsets = []
        offset = start
        while offset < len(data):
            response = self.patch(location, offset, data[offset : offset + chunk])
            assert response.status_code == 204, response.get_data(as_text=True)
            offset = int(response.headers["Upload-Offset"])
            offsets.append(offset)
        return offsets


def checksum_of(data: bytes, algorithm: str = "sha1") -> str:
    """The Upload-Checksum value for `data`."""
    digest = hashlib.new(algorithm, data, usedforsecurity=False).digest()
    return f"{algorithm} {base64.b64encode(digest).decode()}"
