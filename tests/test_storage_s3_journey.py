"""End to end on the S3 backend (moto's server over HTTP): upload, ingest, download, delete,
re-ingest, backup and restore, with nothing on local disk and nothing left in the bucket."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlmodel import select

from portal.agreements.models import AgreementDocument, MilestoneEvidence
from portal.datasets.models import DatasetFile
from tests import factories
from tests.cycler_data import CYCLER_DIR, maccor_head
from tests.helpers import upload_cycler_file

MACCOR = CYCLER_DIR / "maccor_002.txt"
PDF = b"%PDF-1.7\nsigned MoU\n%%EOF\n"


@pytest.fixture
def app_config(app_config, s3_bucket):
    return {**app_config, **s3_bucket.settings, "MAX_UPLOAD_MB": 1}


@pytest.fixture(scope="module")
def small_maccor() -> bytes:
    return maccor_head()


@pytest.fixture
def staff(client, login_as):
    login_as("staff")
    return client


def _local_files(app) -> list[Path]:
    root = Path(app.config["DATA_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_upload_ingest_and_download_original_and_parquet_from_s3(
    app, db, staff, s3_bucket, small_maccor
):
    dataset = factories.make_dataset(db, visibility="public")
    assert upload_cycler_file(staff, dataset.slug, small_maccor, "coin cell.txt").status_code == 302
    dataset_file = db.exec(select(DatasetFile)).one()
    assert dataset_file.cycle_count and dataset_file.row_count
    assert s3_bucket.object_keys() == sorted(
        [
            f"files/datasets/{dataset_file.stored_name}",
            f"files/datasets/{dataset_file.parquet_name}",
        ]
    )
    assert _local_files(app) == []  # nothing shared on local disk

    base = f"/datasets/{dataset.slug}/files/{dataset_file.id}/download"
    original = staff.get(f"{base}/original")
    assert original.status_code == 200 and original.data == small_maccor
    assert original.headers["Accept-Ranges"] == "bytes"

    parquet = staff.get(f"{base}/parquet")
    assert parquet.status_code == 200
    stored = (
        s3_bucket.endpoint.client()
        .get_object(Bucket=s3_bucket.name, Key=f"files/datasets/{dataset_file.parquet_name}")[
            "Body"
        ]
        .read()
    )
    assert parquet.data == stored
    assert pq.read_table(io.BytesIO(parquet.data)).num_rows == dataset_file.row_count

    head = staff.get(f"{base}/parquet", headers={"Range": "bytes=0-3"})
    assert head.status_code == 206 and head.data == b"PAR1"
    tail = staff.get(f"{base}/original", headers={"Range": "bytes=-100"})
    assert tail.status_code == 206 and tail.data == small_maccor[-100:]

    csv = staff.get(f"{base}/csv").get_data(as_text=True)
    assert csv.count("\n") == dataset_file.row_count + 1  # header and one line per row
    curves = staff.get(f"/datasets/{dataset.slug}/files/{dataset_file.id}/voltage.json?cycles=1")
    assert len(curves.get_json()["cycles"]["1"]["voltage_v"]) > 10


def test_refused_uploads_store_nothing_in_the_bucket(app, db, staff, s3_bucket, small_maccor):
    dataset = factories.make_dataset(db)
    assert (
        upload_cycler_file(staff, dataset.slug, b"\x00garbage" * 100, "junk.txt").status_code == 400
    )
    assert (
        upload_cycler_file(staff, dataset.slug, b"x" * (1024 * 1024 + 1), "big.txt").status_code
        == 413
    )
    assert s3_bucket.object_keys() == []
    assert db.exec(select(DatasetFile)).all() == []
    assert _local_files(app) == []


def test_reingest_and_delete_leave_no_orphaned_object(app, db, staff, s3_bucket, small_maccor):
    dataset = factories.make_dataset(db)
    assert upload_cycler_file(staff, dataset.slug, small_maccor, "cell.txt").status_code == 302
    dataset_file = db.exec(select(DatasetFile)).one()
    first_parquet = dataset_file.parquet_name
    admin = f"/admin/datasets/{dataset.slug}/files/{dataset_file.id}"
    assert staff.post_form(f"{admin}/reingest").status_code == 302
    db.refresh(dataset_file)
    assert dataset_file.parquet_name != first_parquet
    assert s3_bucket.object_keys() == sorted(
        [
            f"files/datasets/{dataset_file.stored_name}",
            f"files/datasets/{dataset_file.parquet_name}",
        ]
    )
    assert staff.post_form(f"{admin}/delete").status_code == 302
    assert s3_bucket.object_keys() == []


def test_backup_and_restore_cover_the_bucket(app, db, staff, s3_bucket, tmp_path):
    agreement = factories.make_agreement(db)
    response = staff.post(
        f"/admin/agreements/{agreement.id}/documents",
        data={"csrf_token": staff.csrf_token(), "file": (io.BytesIO(PDF), "mou.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    document = db.exec(select(AgreementDocument)).one()
    name = f"files/agreements/{document.stored_name}"
    assert s3_bucket.object_keys() == [name]

    runner = app.test_cli_runner()
    made = runner.invoke(args=["backup", str(tmp_path / "backup")])
    assert made.exit_code == 0, made.output
    assert f"s3://{s3_bucket.name}/files" in made.output and "1 stored objects" in made.output
    copy = tmp_path / "backup" / "data" / "agreements" / document.stored_name
    assert copy.read_bytes() == PDF
    assert (
        f"data/agreements/{document.stored_name}"
        in (tmp_path / "backup" / "SHA256SUMS").read_text()
    )

    # Disaster in the bucket: the document is gone and a stray object appeared.
    client = s3_bucket.endpoint.client()
    client.delete_object(Bucket=s3_bucket.name, Key=name)
    client.put_object(Bucket=s3_bucket.name, Key="files/agreements/0badc0de", Body=b"stray")

    db.commit()  # end the test's read transaction: pg_restore --clean must drop the tables
    restored = runner.invoke(args=["restore", str(tmp_path / "backup")])
    assert restored.exit_code == 0, restored.output
    assert s3_bucket.object_keys() == [name]
    download = staff.get(f"/agreements/{agreement.id}/documents/{document.id}")
    assert download.status_code == 200 and download.data == PDF


def test_evidence_goes_to_the_bucket_and_a_failed_request_leaves_no_object(
    app, db, client, login_as, s3_bucket, monkeypatch
):
    organization = factories.make_organization(db)
    milestone = factories.make_milestone(
        db, factories.make_agreement(db, organization=organization)
    )
    login_as("partner", organization)
    url = f"/milestones/{milestone.id}/evidence"

    def send(data: bytes, name: str):
        return client.post(
            url,
            data={"csrf_token": client.csrf_token(), "note": "", "file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )

    def audit_log_down(*_args, **_kwargs):
        raise RuntimeError("audit log unavailable")

    with monkeypatch.context() as patched:
        patched.setattr("portal.changes.record", audit_log_down)  # via add_audited
        assert send(PDF, "report.pdf").status_code == 500
    assert s3_bucket.object_keys() == []  # stored, then deleted when the request rolled back

    assert send(PDF, "report.pdf").status_code == 303
    evidence = db.exec(select(MilestoneEvidence)).one()
    assert s3_bucket.object_keys() == [f"files/evidence/{evidence.stored_name}"]
    download = client.get(f"/evidence/{evidence.id}/file")
    assert download.status_code == 200 and download.data == PDF
    assert _local_files(app) == []
