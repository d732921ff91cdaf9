"""Downloads honour HTTP Range, If-Range and ETag, on the file backend and on S3 alike."""

from __future__ import annotations

import io

import pytest
from sqlmodel import select

from portal.agreements.models import AgreementDocument
from tests import factories

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 2048 + b"%%EOF\n"  # about 512 KiB
SIZE = len(PDF)


@pytest.fixture
def app_config(app_config, storage_settings):
    return {**app_config, **storage_settings}


@pytest.fixture
def document_url(app, client, db, login_as) -> str:
    """A stored agreement document, uploaded by staff through the form."""
    login_as("staff")
    agreement = factories.make_agreement(db)
    response = client.post(
        f"/admin/agreements/{agreement.id}/documents",
        data={
            "csrf_token": client.csrf_token(),
            "title": "Signed",
            "file": (io.BytesIO(PDF), "signed.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    document = db.exec(select(AgreementDocument)).one()
    return f"/agreements/{agreement.id}/documents/{document.id}"


def test_a_whole_download_advertises_ranges_and_an_etag(client, document_url):
    response = client.get(document_url)
    assert response.status_code == 200
    assert response.is_streamed  # (checked before .data, which buffers the body)
    assert response.data == PDF
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Length"] == str(SIZE)
    assert response.headers["ETag"]
    assert response.headers["Content-Disposition"] == 'attachment; filename="signed.pdf"'


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [
        ("bytes=0-99", 0, 100),  # the first bytes
        ("bytes=200000-300000", 200000, 300001),  # the middle
        ("bytes=-1000", SIZE - 1000, SIZE),  # a suffix: the last 1000 bytes
        (f"bytes={SIZE - 10}-", SIZE - 10, SIZE),  # open-ended: resume near the end
        (f"bytes=100-{SIZE + 5000}", 100, SIZE),  # a last byte past the end is clamped
    ],
    ids=["first", "middle", "suffix", "open-ended", "clamped"],
)
def test_a_single_range_answers_206_with_exactly_those_bytes(
    client, document_url, header, start, stop
):
    response = client.get(document_url, headers={"Range": header})
    assert response.status_code == 206
    assert response.data == PDF[start:stop]
    assert response.headers["Content-Range"] == f"bytes {start}-{stop - 1}/{SIZE}"
    assert response.headers["Content-Length"] == str(stop - start)


def test_an_unsatisfiable_range_answers_416_with_the_size(client, document_url):
    response = client.get(document_url, headers={"Range": f"bytes={SIZE}-{SIZE + 10}"})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{SIZE}"
    assert response.data == b""


def test_if_range_with_the_current_etag_resumes_and_a_stale_one_restarts(client, document_url):
    etag = client.get(document_url).headers["ETag"]
    resumed = client.get(document_url, headers={"Range": "bytes=10-19", "If-Range": etag})
    assert resumed.status_code == 206 and resumed.data == PDF[10:20]
    stale = client.get(document_url, headers={"Range": "bytes=10-19", "If-Range": '"old"'})
    assert stale.status_code == 200 and stale.data == PDF


def test_if_none_match_with_the_current_etag_is_304(client, document_url):
    etag = client.get(document_url).headers["ETag"]
    again = client.get(document_url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_a_range_does_not_bypass_the_access_check(app, db, document_url):
    outsider = factories.make_user(db, role="partner")
    browser = app.test_client()
    browser.post_form("/login", {"email": outsider.email, "password": factories.DEFAULT_PASSWORD})
    response = browser.get(document_url, headers={"Range": "bytes=0-99"})
    assert response.status_code == 404
    assert PDF[:100] not in response.data


def test_a_download_is_streamed_in_bounded_chunks_not_read_whole(app, client, db, login_as):
    login_as("staff")
    agreement = factories.make_agreement(db)
    big = b"%PDF-1.7\n" + b"0123456789abcdef" * (3 * 65536)  # 3 MiB: more than one chunk
    response = client.post(
        f"/admin/agreements/{agreement.id}/documents",
        data={"csrf_token": client.csrf_token(), "file": (io.BytesIO(big), "big.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    document = db.exec(select(AgreementDocument)).one()
    download = client.get(f"/agreements/{agreement.id}/documents/{document.id}")
    chunks = list(download.response)  # the body as the server handed it out, piece by piece
    assert len(chunks) >= 3
    assert max(len(chunk) for chunk in chunks) <= 1024 * 1024
    assert b"".join(chunks) == big
