"""Upload attacks the domain tests leave open: milestone evidence (a partner's upload) at the cap
to the byte, over it, as archives with `../` members or bombs, with hostile names; and a body
sent without Content-Length (chunked) past the cap, for agreement documents, evidence and
dataset files alike. In each refused case nothing is written: no file, no row, no audit entry.
(Agreement documents and dataset files at the cap, type checks from content, hostile names and
archive bombs are proven in tests/test_agreements_files.py and tests/test_datasets_upload.py.)"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from portal.accounts.models import Organization
from portal.agreements.models import Agreement, AgreementDocument, Milestone, MilestoneEvidence
from portal.audit.models import AuditEntry
from portal.datasets.models import DatasetFile
from tests import factories
from tests.security_world import PNG

MB = 1024 * 1024


@pytest.fixture
def app_config(app_config):
    return {**app_config, "MAX_UPLOAD_MB": 1}


@pytest.fixture
def milestone(db):
    organization = factories.make_organization(db)
    return factories.make_milestone(db, factories.make_agreement(db, organization=organization))


@pytest.fixture
def partner(client, db, login_as, milestone):
    agreement = db.get(Agreement, milestone.agreement_id)
    login_as("partner", db.get(Organization, agreement.organization_id))
    return client


def files_under(app) -> list[Path]:
    root = Path(app.config["DATA_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def nothing_written(app, db, milestone) -> None:
    assert files_under(app) == []
    assert db.exec(select(MilestoneEvidence)).all() == []
    actions = {e.action for e in db.exec(select(AuditEntry)).all()}
    assert not actions & {"milestone.evidence_submitted", "milestone.status_changed"}
    db.expire_all()
    assert db.get(Milestone, milestone.id).status == "planned"


def send_evidence(client, milestone, data: bytes, name: str):
    return client.post(
        f"/milestones/{milestone.id}/evidence",
        data={"csrf_token": client.csrf_token(), "note": "", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def office_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types><Override PartName="/x" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_evidence_at_the_cap_is_kept_and_one_byte_over_is_413_with_nothing_written(
    app, db, partner, milestone
):
    exact = PNG + b"\x00" * (MB - len(PNG))  # PORTAL_MAX_UPLOAD_MB=1, to the byte
    assert send_evidence(partner, milestone, exact + b"\x00", "scan.png").status_code == 413
    nothing_written(app, db, milestone)
    assert send_evidence(partner, milestone, exact, "scan.png").status_code == 303
    evidence = db.exec(select(MilestoneEvidence)).one()
    assert evidence.size_bytes == MB
    assert [p.name for p in files_under(app)] == [evidence.stored_name]


@pytest.mark.parametrize(
    "members",
    [
        {"../../evil.sh": b"rm -rf /"},
        {"/etc/cron.d/evil": b"* * * * * root true"},
        {"word/bomb.xml": b"\x00" * (5 * MB)},
    ],
    ids=["dotdot-member", "absolute-member", "bomb"],
)
def test_evidence_archives_with_escaping_members_or_bombs_are_refused(
    app, db, partner, milestone, members
):
    response = send_evidence(partner, milestone, office_zip(members), "report.docx")
    assert response.status_code == 400
    nothing_written(app, db, milestone)


@pytest.mark.parametrize(
    "name",
    [
        '../../../etc/"passwd\r\nX-Evil: 1.png',
        "..\\..\\windows\\win.ini.png",
        "a" * 4000 + ".png",
        "<img src=x onerror=alert(1)>.png",
        "report.png\x00.exe",
    ],
    ids=["dotdot-crlf", "backslashes", "very-long", "markup", "nul"],
)
def test_evidence_hostile_names_never_reach_disk_or_headers(app, db, partner, milestone, name):
    assert send_evidence(partner, milestone, PNG, name).status_code == 303
    evidence = db.exec(select(MilestoneEvidence)).one()
    stored = files_under(app)
    assert [p.name for p in stored] == [evidence.stored_name]
    assert all(str(p).startswith(str(app.config["DATA_DIR"])) for p in stored)
    assert len(evidence.stored_name) == 32 and set(evidence.stored_name) <= set("0123456789abcdef")
    assert "/" not in evidence.original_filename and "\x00" not in evidence.original_filename
    download = partner.get(f"/evidence/{evidence.id}/file")
    assert download.status_code == 200 and download.data == PNG
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert not any(bad in disposition for bad in ("\r", "\n", "/", "\\", "..", "<", "\x00"))
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Evil" not in download.headers
    page = partner.get(f"/milestones/{milestone.id}").get_data(as_text=True)
    assert "<img src=x onerror" not in page


def _chunked(client, url: str, body: bytes, boundary: str):
    """POST a multipart body without Content-Length, as a chunked upload would arrive."""
    return client.post(
        url,
        input_stream=io.BytesIO(body),
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Transfer-Encoding": "chunked",
        },
        environ_overrides={"wsgi.input_terminated": True},
    )


def _multipart(fields: dict[str, str], filename: str, content: bytes, boundary: str) -> bytes:
    parts = []
    for key, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)


def test_chunked_uploads_without_a_length_are_capped_too(app, client, db, login_as, milestone):
    boundary = "xYzBoundary"
    big = PNG + b"\x00" * (2 * MB)
    # Evidence, as the partner.
    agreement = db.get(Agreement, milestone.agreement_id)
    login_as("partner", db.get(Organization, agreement.organization_id))
    token = client.csrf_token()
    body = _multipart({"csrf_token": token, "note": ""}, "big.png", big, boundary)
    assert (
        _chunked(client, f"/milestones/{milestone.id}/evidence", body, boundary).status_code == 413
    )
    nothing_written(app, db, milestone)
    # Agreement documents and dataset files, as staff.
    staff = app.test_client()
    user = factories.make_user(db, role="staff")
    staff.post_form("/login", {"email": user.email, "password": factories.DEFAULT_PASSWORD})
    token = staff.csrf_token()
    body = _multipart(
        {"csrf_token": token, "title": "Big"}, "big.pdf", b"%PDF-1.7\n" + big, boundary
    )
    assert (
        _chunked(staff, f"/admin/agreements/{agreement.id}/documents", body, boundary).status_code
        == 413
    )
    dataset = factories.make_dataset(db)
    body = _multipart({"csrf_token": token}, "big.csv", b"a,b\n" * (MB // 2), boundary)
    assert (
        _chunked(staff, f"/admin/datasets/{dataset.slug}/files", body, boundary).status_code == 413
    )
    assert files_under(app) == []
    assert db.exec(select(AgreementDocument)).all() == []
    assert db.exec(select(DatasetFile)).all() == []
