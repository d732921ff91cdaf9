"""tus 1.0.0 uploads through the Flask test client, on file:// and on S3 (moto's HTTP server):
creation, offsets, 409, another user's id, 413, a dropped PATCH resumed, termination, expiry."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from portal.datasets.models import DatasetFile
from portal.db import utcnow
from portal.resumable.models import ResumableUpload
from tests import factories
from tests.cycler_data import maccor_head, write_arbin
from tests.resumable_client import TusClient, checksum_of

MIB = 1024 * 1024
LIMIT_MB = 20
CHUNK = 6 * MIB  # above S3's 5 MiB smallest part, so an upload has several real parts


@pytest.fixture
def app_config(app_config, storage_settings):
    return {**app_config, **storage_settings, "MAX_UPLOAD_MB": LIMIT_MB}


@pytest.fixture(scope="module")
def big_arbin(tmp_path_factory) -> bytes:
    """A generated Arbin CSV of about 13 MiB (500 cycles), so S3 gets three parts."""
    path = tmp_path_factory.mktemp("tus") / "long_test.csv"
    write_arbin(path, [1.0 - 0.0004 * n for n in range(500)], points=110)
    data = path.read_bytes()
    assert 12 * MIB < len(data) < LIMIT_MB * MIB
    return data


@pytest.fixture
def staff(client, login_as):
    login_as("staff")
    return TusClient(client)


@pytest.fixture
def dataset(db):
    return factories.make_dataset(db, slug="long-cycle-life")


def _staged(app, storage_settings) -> list[str]:
    """Everything staged or stored: files under the data folder, or the bucket's objects and
    unfinished multipart uploads."""
    if not storage_settings:
        root = Path(app.config["DATA_DIR"])
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    client = app.extensions["storage"].client
    bucket = app.extensions["storage"].bucket
    objects = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    pending = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    return sorted([o["Key"] for o in objects] + [f"multipart:{u['Key']}" for u in pending])


def _rows(db, model):
    db.expire_all()
    return db.exec(select(model)).all()


def test_options_names_version_extensions_and_limit(staff, dataset):
    answer = staff.client.options(f"/admin/datasets/{dataset.slug}/uploads")
    assert answer.status_code == 204
    assert answer.headers["Tus-Version"] == "1.0.0"
    assert set(answer.headers["Tus-Extension"].split(",")) >= {
        "creation",
        "termination",
        "expiration",
    }
    assert answer.headers["Tus-Max-Size"] == str(LIMIT_MB * MIB)


def test_upload_in_chunks_is_ingested_and_staging_is_gone(
    app, staff, dataset, db, big_arbin, storage_settings
):
    created = staff.create(dataset.slug, len(big_arbin), "long_test.csv")
    assert created.status_code == 201, created.get_data(as_text=True)
    location = created.headers["Location"]
    assert created.headers["Tus-Resumable"] == "1.0.0"
    assert "Upload-Expires" in created.headers
    head = staff.head(location)
    assert head.status_code == 200
    assert head.headers["Upload-Offset"] == "0"
    assert head.headers["Upload-Length"] == str(len(big_arbin))
    assert head.headers["Cache-Control"] == "no-store"

    offsets = staff.send(location, big_arbin, CHUNK)
    assert offsets == [CHUNK, 2 * CHUNK, len(big_arbin)]

    [added] = _rows(db, DatasetFile)
    assert added.original_filename == "long_test.csv"
    assert added.cycle_count == 500
    assert added.size_bytes == len(big_arbin)
    [upload] = _rows(db, ResumableUpload)
    assert upload.file_id == added.id and upload.finished_at is not None
    staged = _staged(app, storage_settings)
    assert len(staged) == 2 and not any(".staging" in key or "multipart" in key for key in staged)
    shown = staff.client.get(f"{location}/result").get_data(as_text=True)
    assert "long_test.csv stored; its ingest is queued." in shown
    assert "See the plots" in shown  # the job has run (eagerly in tests, after the commit)
    # The stored original is the uploaded bytes, byte for byte.
    download = staff.client.get(f"/datasets/{dataset.slug}/files/{added.id}/download/original")
    assert download.status_code == 200 and download.data == big_arbin


def test_wrong_offset_is_409_and_changes_nothing(staff, dataset, big_arbin):
    location = staff.create(dataset.slug, len(big_arbin)).headers["Location"]
    staff.send(location, big_arbin[:CHUNK], CHUNK)
    for offset in (0, CHUNK - 1, CHUNK + 1):
        answer = staff.patch(location, offset, big_arbin[offset : offset + 1000])
        assert answer.status_code == 409
        assert answer.headers["Upload-Offset"] == str(CHUNK)
    assert staff.head(location).headers["Upload-Offset"] == str(CHUNK)


def test_another_users_upload_is_404(app, staff, dataset, big_arbin, login_as):
    location = staff.create(dataset.slug, len(big_arbin)).headers["Location"]
    staff.send(location, big_arbin[:CHUNK], CHUNK)
    other_browser = app.test_client()
    login_as("staff", client_=other_browser)
    other = TusClient(other_browser)
    assert other.head(location).status_code == 404
    assert other.patch(location, CHUNK, big_arbin[CHUNK : 2 * CHUNK]).status_code == 404
    assert other.delete(location).status_code == 404
    assert other.client.get(f"{location}/result").status_code == 404
    assert staff.head(location).headers["Upload-Offset"] == str(CHUNK)


def test_partners_and_visitors_cannot_upload(app, client, login_as, dataset):
    anonymous = client.post(
        f"/admin/datasets/{dataset.slug}/uploads",
        headers={"Tus-Resumable": "1.0.0", "Upload-Length": "10"},
    )
    assert anonymous.status_code == 302  # to the sign-in page
    login_as("partner")
    partner = TusClient(client).create(dataset.slug, 10)
    assert partner.status_code == 403


def test_over_the_limit_is_413_at_creation_and_at_patch(
    app, staff, dataset, db, big_arbin, storage_settings
):
    too_big = staff.create(dataset.slug, LIMIT_MB * MIB + 1)
    assert too_big.status_code == 413
    assert "20 MB" in too_big.get_data(as_text=True)
    assert _rows(db, ResumableUpload) == []
    assert staff.create(dataset.slug, LIMIT_MB * MIB).status_code == 201  # exactly the limit
    # A chunk running past the declared length is refused whole.
    location = staff.create(dataset.slug, 1000).headers["Location"]
    answer = staff.patch(location, 0, big_arbin[:1001])
    assert answer.status_code == 413
    assert staff.head(location).headers["Upload-Offset"] == "0"
    # The limit lowered while an upload is under way: the next PATCH is refused.
    location = staff.create(dataset.slug, len(big_arbin)).headers["Location"]
    app.config["MAX_UPLOAD_MB"] = 5
    assert staff.patch(location, 0, big_arbin[:CHUNK]).status_code == 413
    assert staff.head(location).headers["Upload-Offset"] == "0"
    assert _rows(db, DatasetFile) == []


def test_a_dropped_patch_keeps_what_arrived_and_the_upload_resumes(
    app, staff, dataset, db, big_arbin, storage_settings
):
    location = staff.create(dataset.slug, len(big_arbin), "long_test.csv").headers["Location"]
    staff.send(location, big_arbin[:CHUNK], CHUNK)
    # The connection drops 3 MiB into the second 6 MiB chunk (less than an S3 part).
    partial = big_arbin[CHUNK : CHUNK + 3 * MIB]
    staff.patch(location, CHUNK, partial, declared=CHUNK)
    resumed_at = int(staff.head(location).headers["Upload-Offset"])
    assert resumed_at == CHUNK + 3 * MIB
    # A second drop 2 MiB in: with the first piece, a whole S3 part's worth (5 MiB).
    staff.patch(location, resumed_at, big_arbin[resumed_at : resumed_at + 2 * MIB], declared=CHUNK)
    resumed_at = int(staff.head(location).headers["Upload-Offset"])
    assert resumed_at == CHUNK + 5 * MIB
    staff.send(location, big_arbin, CHUNK, start=resumed_at)
    [added] = _rows(db, DatasetFile)
    assert added.cycle_count == 500
    download = staff.client.get(f"/datasets/{dataset.slug}/files/{added.id}/download/original")
    assert download.data == big_arbin


def test_termination_removes_the_upload_and_its_bytes(
    app, staff, dataset, db, big_arbin, storage_settings
):
    location = staff.create(dataset.slug, len(big_arbin)).headers["Location"]
    staff.send(location, big_arbin[: 2 * CHUNK], CHUNK)
    assert _staged(app, storage_settings) != []
    assert staff.delete(location).status_code == 204
    assert staff.head(location).status_code == 404
    assert staff.patch(location, 2 * CHUNK, b"x").status_code == 404
    assert _rows(db, ResumableUpload) == []
    assert _staged(app, storage_settings) == []


def test_expired_uploads_answer_410_and_portal_sweep_removes_them(
    app, staff, dataset, db, big_arbin, storage_settings
):
    location = staff.create(dataset.slug, len(big_arbin)).headers["Location"]
    staff.send(location, big_arbin[:CHUNK], CHUNK)
    fresh = staff.create(dataset.slug, len(big_arbin)).headers["Location"]
    [old] = [u for u in _rows(db, ResumableUpload) if location.endswith(u.id)]
    old.expires_at = utcnow() - timedelta(minutes=1)
    db.add(old)
    db.commit()
    assert staff.head(location).status_code == 410
    assert staff.patch(location, CHUNK, big_arbin[CHUNK : 2 * CHUNK]).status_code == 410
    result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    assert "1 expired upload(s) removed" in result.output
    assert staff.head(location).status_code == 404
    assert staff.head(fresh).status_code == 200  # the live one stays
    assert [u.id for u in _rows(db, ResumableUpload)] == [fresh.rsplit("/", 1)[-1]]
    staged = _staged(app, storage_settings)
    assert len(staged) <= 1  # at most the fresh upload's empty staging
    again = app.test_cli_runner().invoke(args=["sweep"])
    assert "0 expired upload(s) removed" in again.output


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (_zip({"bomb.csv": b"0" * (30 * MIB)}), "unpacks to more than 20 MB"),
        (_zip({"../../etc/cells.csv": b"Data_Point,Voltage(V)\n1,3.0\n"}), "unsafe path"),
        (b"this is not a cycler file at all\n" * 100, "not in a recognised cycler format"),
    ],
    ids=["zip-bomb", "path-trick", "unreadable"],
)
def test_refused_files_leave_nothing_behind(
    app, staff, dataset, db, storage_settings, content, reason
):
    location = staff.create(dataset.slug, len(content), "cells.zip").headers["Location"]
    answer = staff.patch(location, 0, content)
    assert 400 <= answer.status_code < 500 and answer.status_code != 409
    message = answer.get_data(as_text=True)
    assert message and "Traceback" not in message
    assert reason in message
    assert _rows(db, DatasetFile) == []
    assert _rows(db, ResumableUpload) == []
    assert _staged(app, storage_settings) == []
    assert staff.head(location).status_code == 404


def test_protocol_errors_are_refused_clearly(staff, dataset, big_arbin):
    no_version = staff.client.post(
        f"/admin/datasets/{dataset.slug}/uploads",
        headers={"X-CSRFToken": staff.token, "Upload-Length": "10"},
    )
    assert no_version.status_code == 412 and no_version.headers["Tus-Version"] == "1.0.0"
    bad_length = staff.client.post(
        f"/admin/datasets/{dataset.slug}/uploads",
        headers={"X-CSRFToken": staff.token, "Tus-Resumable": "1.0.0", "Upload-Length": "-1"},
    )
    assert bad_length.status_code == 400
    location = staff.create(dataset.slug, len(big_arbin)).headers["Location"]
    wrong_type = staff.client.patch(
        location,
        data=b"abc",
        headers={"Tus-Resumable": "1.0.0", "X-CSRFToken": staff.token, "Upload-Offset": "0"},
        content_type="application/octet-stream",
    )
    assert wrong_type.status_code == 415


def test_tus_requests_need_the_csrf_header(staff, dataset, big_arbin):
    forged = staff.client.post(
        f"/admin/datasets/{dataset.slug}/uploads",
        headers={"Tus-Resumable": "1.0.0", "Upload-Length": "10"},
    )
    assert forged.status_code == 400
    location = staff.create(dataset.slug, len(big_arbin)).headers["Location"]
    forged_patch = staff.client.patch(
        location,
        data=big_arbin[:100],
        headers={"Tus-Resumable": "1.0.0", "Upload-Offset": "0"},
        content_type="application/offset+octet-stream",
    )
    assert forged_patch.status_code == 400
    assert staff.head(location).headers["Upload-Offset"] == "0"


def test_a_chunk_size_below_s3s_smallest_part_stops_start_up(app_config):
    from portal import create_app
    from portal.config import ConfigError

    with pytest.raises(ConfigError, match="PORTAL_UPLOAD_CHUNK_MB"):
        create_app({**app_config, "UPLOAD_CHUNK_MB": 4})


def test_sweep_removes_staged_bytes_no_upload_row_knows(
    app, staff, dataset, db, big_arbin, storage_settings
):
    from portal.resumable.services import lifetime, sweep_expired_uploads
    from portal.storage import storage
    from portal.storage.staging import staging_for

    live = staff.create(dataset.slug, len(big_arbin)).headers["Location"]
    staff.send(live, big_arbin[:CHUNK], CHUNK)
    with app.app_context():
        staging = staging_for(storage())
        # A node that died between staging the bytes and committing the row.
        orphan = staging.start("tus_" + "0" * 32)
        piece = Path(app.config["DATA_DIR"]).parent / "piece"
        piece.write_bytes(big_arbin[:1000])
        staging.append("tus_" + "0" * 32, orphan, 0, piece, final=False)
        before = _staged(app, storage_settings)
        assert any("tus_" + "0" * 32 in key for key in before)
        if not storage_settings:
            # Not yet old enough: kept (it may be a request still under way). Not checked on
            # moto, whose ListMultipartUploads reports every upload as initiated in 2010.
            sweep_expired_uploads(db)
            assert _staged(app, storage_settings) == before
        # Past an upload's lifetime, the orphan goes; the live upload is only expired later.
        [row] = _rows(db, ResumableUpload)
        row.expires_at = utcnow() + 3 * lifetime()
        db.add(row)
        db.commit()
        sweep_expired_uploads(db, utcnow() + 2 * lifetime())
        db.commit()
        after = _staged(app, storage_settings)
    assert not any("tus_" + "0" * 32 in key for key in after)
    assert len(after) == 1 and row.staging_name in after[0]
    assert staff.head(live).headers["Upload-Offset"] == str(CHUNK)


def test_a_hostile_file_name_is_reduced_to_its_last_part(app, staff, dataset, db):
    content = maccor_head()
    location = staff.create(dataset.slug, len(content), "../../etc/\x00maccor.txt").headers[
        "Location"
    ]
    assert staff.patch(location, 0, content).status_code == 204
    [added] = _rows(db, DatasetFile)
    assert added.original_filename == "maccor.txt"
    assert added.stored_name != "maccor.txt" and "/" not in added.stored_name


def test_options_names_the_checksum_algorithms(staff, dataset):
    answer = staff.client.options(f"/admin/datasets/{dataset.slug}/uploads")
    assert "checksum" in answer.headers["Tus-Extension"].split(",")
    assert "sha1" in answer.headers["Tus-Checksum-Algorithm"].split(",")


def test_a_chunk_with_a_wrong_checksum_is_460_and_nothing_of_it_is_kept(
    app, staff, dataset, db, big_arbin, storage_settings
):
    location = staff.create(dataset.slug, len(big_arbin), "long_test.csv").headers["Location"]
    first, second = big_arbin[:CHUNK], big_arbin[CHUNK : 2 * CHUNK]
    good = staff.patch(location, 0, first, checksum=checksum_of(first))
    assert good.status_code == 204 and good.headers["Upload-Offset"] == str(CHUNK)
    staged_before = _staged(app, storage_settings)
    # One flipped byte on the way: the client's checksum is of what it meant to send.
    damaged = second[:100] + bytes([second[100] ^ 0xFF]) + second[101:]
    refused = staff.patch(location, CHUNK, damaged, checksum=checksum_of(second, "sha256"))
    assert refused.status_code == 460
    assert refused.headers["Upload-Offset"] == str(CHUNK)
    assert "does not match its Upload-Checksum" in refused.get_data(as_text=True)
    assert staff.head(location).headers["Upload-Offset"] == str(CHUNK)
    assert _staged(app, storage_settings) == staged_before
    # A dropped body cannot be checked: with a checksum, none of it is kept.
    cut = staff.patch(
        location, CHUNK, second[: 2 * MIB], declared=CHUNK, checksum=checksum_of(second)
    )
    assert cut.status_code == 460 and staff.head(location).headers["Upload-Offset"] == str(CHUNK)
    # Sent again intact, it is taken, and so is the rest (md5 this time).
    assert staff.patch(location, CHUNK, second, checksum=checksum_of(second)).status_code == 204
    rest = big_arbin[2 * CHUNK :]
    assert (
        staff.patch(location, 2 * CHUNK, rest, checksum=checksum_of(rest, "md5")).status_code == 204
    )
    [added] = _rows(db, DatasetFile)
    download = staff.client.get(f"/datasets/{dataset.slug}/files/{added.id}/download/original")
    assert download.data == big_arbin


@pytest.mark.parametrize(
    "header",
    ["sha1", "crc32 AAAAAA==", "sha1 not*base64", "sha1 AAAA", "sha1  AAAA", ""],
)
def test_an_odd_upload_checksum_is_400_and_changes_nothing(staff, dataset, big_arbin, header):
    location = staff.create(dataset.slug, len(big_arbin)).headers["Location"]
    answer = staff.patch(location, 0, big_arbin[:1000], checksum=header)
    assert answer.status_code == 400
    assert "Upload-Checksum" in answer.get_data(as_text=True)
    assert staff.head(location).headers["Upload-Offset"] == "0"
