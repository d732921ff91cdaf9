"""A partner in Chromium: sign in, read the dashboard, hand in milestone evidence (note and file),
download a dataset granted to the organisation, create a personal API token (shown once), use it
against the API, revoke it, and the next call is 401. axe-core runs on every page visited; no
uncaught JS error and no console error (a CSP violation logs one) may appear."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import select

from portal.agreements.models import Milestone, MilestoneEvidence
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.cycler_data import CYCLER_DIR
from tests.e2e.conftest import assert_accessible, sign_in

MACCOR = CYCLER_DIR / "maccor_002.txt"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _watthour(app, db):
    watthour = factories.make_organization(db, slug="watthour", name="Watthour Private Limited")
    user = factories.make_user(
        db, role="partner", organization=watthour, name="Meera Shah", email="meera@watthour.example"
    )
    mou = factories.make_agreement(
        db, watthour, reference="COE-MOU-2025-001", title="Sodium-ion cell co-development"
    )
    milestone = factories.make_milestone(
        db, mou, title="Pilot cells delivered", due_on=date.today() + timedelta(days=10)
    )
    factories.make_milestone(
        db, mou, title="Quarterly report", kind="report", due_on=date.today() - timedelta(days=3)
    )
    dataset = factories.make_dataset(
        db, slug="pilot-cell-cycling", title="Pilot cell cycling (Maccor)", visibility="restricted"
    )
    factories.ingest_into(app, dataset, MACCOR)
    factories.make_dataset_grant(db, dataset, watthour, agreement_id=mou.id)
    # Another partner's work never shows up.
    other = factories.make_organization(db, name="Brandwork Technologies")
    factories.make_milestone(
        db,
        factories.make_agreement(db, other, reference="COE-MOU-2025-002"),
        title="BRANDWORK-ONLY",
    )
    return user, milestone


def _clean(page) -> None:
    assert page.js_errors == [], page.js_errors
    assert page.console_errors == [], page.console_errors


def test_partner_evidence_download_and_api_token(app, live_server, page, db):
    user, milestone = _watthour(app, db)

    # Sign in: the dashboard shows the organisation's agreements, milestones and shared data.
    page.goto(f"{live_server}/login")
    assert_accessible(page)
    sign_in(page, live_server, user.email, TEST_PASSWORD)
    assert page.url.endswith("/me")
    assert page.get_by_role("heading", level=1).inner_text() == "Watthour Private Limited"
    assert page.get_by_role("link", name="COE-MOU-2025-001").is_visible()
    overdue = page.locator("table.milestones tr.overdue")
    assert overdue.count() == 1 and "Quarterly report" in overdue.inner_text()
    assert "Pilot cells delivered" in page.locator("ul.due-soon").inner_text()
    assert "BRANDWORK-ONLY" not in page.content()
    assert_accessible(page)

    # Hand in evidence: a note and a PDF.
    page.locator("ul.due-soon").get_by_role("link", name="Pilot cells delivered").click()
    page.wait_for_url(re.compile(rf"/milestones/{milestone.id}$"))
    assert_accessible(page)
    page.get_by_label("Note").fill("50 pilot cells shipped; test report attached.")
    page.get_by_label(re.compile(r"^File")).set_input_files(
        {"name": "pilot-report.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Submit").click()
    evidence_row = page.locator("table tr", has_text="50 pilot cells shipped")
    assert evidence_row.get_by_role("link", name="pilot-report.pdf").is_visible()
    assert "Submitted" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
    evidence = db.exec(
        select(MilestoneEvidence).where(MilestoneEvidence.milestone_id == milestone.id)
    ).one()
    assert evidence.original_filename == "pilot-report.pdf" and evidence.note.startswith("50 pilot")
    db.expire_all()
    assert db.get(Milestone, milestone.id).status == "submitted"
    with page.expect_download() as handed_in:
        evidence_row.get_by_role("link", name="pilot-report.pdf").click()
    assert Path(handed_in.value.path()).read_bytes() == PDF

    # The granted dataset: open it from the dashboard and download the per-cycle summary.
    page.get_by_role("link", name="My dashboard").first.click()
    page.wait_for_url(re.compile(r"/me$"))
    handed_in_row = page.locator("tr", has_text="50 pilot cells shipped")
    assert "Pilot cells delivered" in handed_in_row.inner_text()  # "What you handed in"
    assert_accessible(page)
    page.get_by_role("link", name="Pilot cell cycling (Maccor)").click()
    page.wait_for_url(re.compile(r"/datasets/pilot-cell-cycling$"))
    page.wait_for_function(
        "() => { const c = window.Chart && Chart.getChart(document.getElementById('capacity-chart'));"
        " return c && c.data.datasets[0].data.length === 2; }"
    )
    assert_accessible(page)
    with page.expect_download() as summary_download:
        page.get_by_role("link", name="per-cycle CSV").click()
    summary = summary_download.value
    assert summary.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(summary.path()).read_text())))
    assert [row["cycle_index"] for row in rows] == ["1", "2"]
    assert all(0.002 < float(row["discharge_capacity_ah"]) < 0.0025 for row in rows)
    with page.expect_download() as original_download:
        page.get_by_role("link", name="original", exact=True).click()
    original = Path(original_download.value.path()).read_bytes()
    assert hashlib.sha256(original).digest() == hashlib.sha256(MACCOR.read_bytes()).digest()

    # The page's Python snippet names the summary's API address; its link leads to the tokens page.
    snippet = page.locator("#python-snippet").inner_text()
    cycles_url = re.search(r'^url = "(http[^"]+)"$', snippet, re.M).group(1)
    assert cycles_url.startswith(f"{live_server}/api/v1/datasets/pilot-cell-cycling/files/")

    # A personal API token: shown once, works with the API, then revoked.
    page.get_by_role("link", name="your tokens page").click()
    page.wait_for_url(re.compile(r"/me/tokens$"))
    assert_accessible(page)
    page.get_by_label("Token name").fill("Lab notebook")
    with page.expect_navigation():
        page.get_by_role("button", name="Create token").click()
    token = page.get_by_label("Token", exact=True).input_value()
    assert re.fullmatch(r"btp_\S{20,}", token), token
    assert_accessible(page)

    bearer = {"Authorization": f"Bearer {token}"}
    api = page.request.get(f"{live_server}/api/v1/me/agreements", headers=bearer)
    assert api.status == 200
    assert [a["reference"] for a in api.json()["items"]] == ["COE-MOU-2025-001"]
    milestones = page.request.get(f"{live_server}/api/v1/me/milestones", headers=bearer).json()
    assert "BRANDWORK-ONLY" not in str(milestones)
    dataset = page.request.get(f"{live_server}/api/v1/datasets/pilot-cell-cycling", headers=bearer)
    assert dataset.status == 200
    # What the snippet does: fetch the per-cycle summary with the token.
    cycles = page.request.get(cycles_url, headers=bearer).json()
    assert [c["cycle_index"] for c in cycles["items"]] == [1, 2] and cycles["next"] is None

    # Shown once: reloading the page shows the prefix only, never the token again.
    page.goto(f"{live_server}/me/tokens")
    assert token not in page.content()
    assert page.get_by_label("Token", exact=True).count() == 0
    row = page.locator("tbody tr", has_text="Lab notebook")
    assert token[:8] in row.inner_text()
    page.once("dialog", lambda dialog: dialog.accept())  # "Revoke this token?"
    with page.expect_navigation():
        row.get_by_role("button", name="Revoke").click()
    assert page.locator("tbody tr", has_text="Lab notebook").get_by_text("revoked").is_visible()
    assert_accessible(page)

    # The very next call with the token is refused, although the browser's session cookie rides along.
    refused = page.request.get(f"{live_server}/api/v1/me/agreements", headers=bearer)
    assert refused.status == 401
    assert page.request.get(f"{live_server}/api/v1/me/agreements").status == 200  # the cookie
    _clean(page)
