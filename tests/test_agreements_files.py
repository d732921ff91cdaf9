"""Uploads: the size cap to the byte, type from content, generated names; downloads: who, how, audited."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlmodel import select

from portal.agreements.models import AgreementDocument, MilestoneEvidence
from portal.audit.models import AuditEntry
from tests import factories

MB = 1024 * 1024
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def office_zip(main: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types><Override PartName="/x" ContentType="application/vnd.openxmlformats-officedocument.{main}"/></Types>',
        )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def app_config(app_config):
    return {**app_config, "MAX_UPLOAD_MB": 1}


def upload(client, agreement, data: bytes, filename: str = "signed.pdf"):
    return client.post(
        f"/admin/agreements/{agreement.id}/documents",
        data={
            "csrf_token": client.csrf_token(),
            "title": "Signed MoU",
            "file": (io.BytesIO(data), filename),
        },
        content_type="multipart/form-data",
    )


def stored_files(app, kind="agreements"):
    folder = app.config["DATA_DIR"] / kind
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_upload_at_the_cap_is_kept_one_byte_over_is_413_and_nothing_written(
    app, client, db, login_as
):
    login_as("staff")
    agreement = factories.make_agreement(db)
    exact = PDF + b"0" * (MB - len(PDF))
    assert upload(client, agreement, exact + b"0").status_code == 413
    assert stored_files(app) == []
    assert db.exec(select(AgreementDocument)).all() == []
    assert upload(client, agreement, exact).status_code == 303
    document = db.exec(select(AgreementDocument)).one()
    assert document.size_bytes == MB and document.content_type == "application/pdf"
    assert stored_files(app) == [document.stored_name]


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (PNG, "scan.png", "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "photo.jpeg", "image/jpeg"),
        (
            office_zip("wordprocessingml.document.main+xml"),
            "amendment.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            office_zip("spreadsheetml.sheet.main+xml"),
            "royalties.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        # The name lies; the content decides.
        (PDF, "report.exe", "application/pdf"),
    ],
)
def test_allowed_types_are_recognised_from_content(
    app, client, db, login_as, data, name, content_type
):
    login_as("staff")
    agreement = factories.make_agreement(db)
    assert upload(client, agreement, data, name).status_code == 303
    assert db.exec(select(AgreementDocument)).one().content_type == content_type


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"MZ\x90\x00 executable", "signed.pdf"),
        (b"<html><script>alert(1)</script>", "signed.pdf"),
        (
            office_zip("wordprocessingml.document.main+xml", {"../../evil.sh": b"rm -rf /"}),
            "a.docx",
        ),
        (office_zip("presentationml.presentation.main+xml"), "slides.pptx"),
        (b"PK\x03\x04 not really a zip", "broken.docx"),
        (
            office_zip("wordprocessingml.document.main+xml", {"bomb.txt": b"\x00" * (5 * MB)}),
            "bomb.docx",
        ),
    ],
)
def test_other_content_is_refused_and_nothing_kept(app, client, db, login_as, data, name):
    login_as("staff")
    agreement = factories.make_agreement(db)
    response = upload(client, agreement, data, name)
    assert response.status_code == 400
    assert "not accepted" in response.get_data(as_text=True)
    assert stored_files(app) == []
    assert db.exec(select(AgreementDocument)).all() == []


def test_hostile_names_never_reach_the_disk_and_downloads_are_safe_attachments(
    app, client, db, login_as
):
    login_as("staff")
    organization = factories.make_organization(db)
    agreement = factories.make_agreement(db, organization=organization)
    hostile = '../../../etc/"passwd\r\nX-Evil: 1.pdf'
    assert upload(client, agreement, PDF, hostile).status_code == 303
    assert upload(client, agreement, PDF + b"v2", "v2.pdf").status_code == 303
    documents = db.exec(select(AgreementDocument).order_by(AgreementDocument.version)).all()
    assert [d.version for d in documents] == [1, 2]
    for d in documents:
        assert len(d.stored_name) == 32 and set(d.stored_name) <= set("0123456789abcdef")
    assert not (app.config["DATA_DIR"].parent / "etc").exists()

    partner = factories.make_user(db, role="partner", organization=organization)
    browser = app.test_client()
    browser.post_form("/login", {"email": partner.email, "password": factories.DEFAULT_PASSWORD})
    response = browser.get(f"/agreements/{agreement.id}/documents/{documents[0].id}")
    assert response.status_code == 200 and response.data == PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert (
        "\r" not in disposition
        and "\n" not in disposition
        and ".." not in disposition
        and "/" not in disposition
    )
    assert disposition.endswith(".pdf") or disposition.endswith('.pdf"')
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    entry = db.exec(
        select(AuditEntry).where(AuditEntry.action == "agreement.document_downloaded")
    ).one()
    assert entry.actor_id == partner.id and entry.changes["document_id"] == documents[0].id


def test_evidence_upload_obeys_the_same_rules(app, client, db, login_as):
    organization = factories.make_organization(db)
    milestone = factories.make_milestone(
        db, factories.make_agreement(db, organization=organization)
    )
    login_as("partner", organization)
    url = f"/milestones/{milestone.id}/evidence"

    def send(data, name):
        return client.post(
            url,
            data={"csrf_token": client.csrf_token(), "note": "", "file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )

    assert send(PDF + b"0" * MB, "big.pdf").status_code == 413
    assert send(b"#!/bin/sh\n", "run.pdf").status_code == 400
    assert stored_files(app, "evidence") == []
    assert db.exec(select(MilestoneEvidence)).all() == []
    db.refresh(milestone)
    assert milestone.status == "planned"
    assert send(PNG, "photo.png").status_code == 303
    evidence = db.exec(select(MilestoneEvidence)).one()
    response = client.get(f"/evidence/{evidence.id}/file")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith(
        "attachment"
    )


def test_a_request_that_fails_after_storing_leaves_no_file_behind(
    app, client, db, login_as, monkeypatch
):
    login_as("staff")
    agreement = factories.make_agreement(db)

    def audit_log_down(*_args, **_kwargs):
        raise RuntimeError("audit log unavailable")

    # The document is stored before its audit entry is written (portal.changes.add_audited).
    monkeypatch.setattr("portal.changes.record", audit_log_down)
    response = upload(client, agreement, PDF)
    assert response.status_code == 500
    assert stored_files(app) == []
    assert db.exec(select(AgreementDocument)).all() == []
