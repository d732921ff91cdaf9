"""The issue's "done when" journey: staff upload a Maccor file, grant it under an MoU, a partner
downloads it and reads the summary with a token; others get 404; an expired MoU closes it."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from portal.accounts.tokens import create_api_token
from portal.audit.models import AuditEntry
from portal.datasets.models import CycleSummary, DatasetFile, DatasetGrant
from portal.dates import local_today
from tests import factories
from tests.conftest import PortalClient
from tests.cycler_data import CYCLER_DIR

MACCOR = CYCLER_DIR / "maccor_002.txt"


def _sign_in(app, db, role, org=None) -> tuple[PortalClient, object]:
    browser = app.test_client()
    user = factories.make_user(db, role=role, organization=org)
    response = browser.post_form(
        "/login", {"email": user.email, "password": factories.DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    return browser, user


def test_done_when_journey(app, db):
    watthour = factories.make_organization(db, slug="watthour", name="Watthour Private Limited")
    brandwork = factories.make_organization(db, slug="brandwork", name="Brandwork Technologies")
    mou = factories.make_agreement(db, watthour, reference="COE-MOU-2025-001", status="active")
    factories.make_agreement(db, brandwork, reference="COE-MOU-2025-002", status="active")
    staff, _ = _sign_in(app, db, "staff")

    # Staff create a restricted dataset and upload maccor_002.txt.
    created = staff.post_form(
        "/admin/datasets/new",
        {
            "slug": "maccor-coin-cell",
            "title": "Maccor coin cell",
            "technology_id": "0",
            "chemistry": "li_ion",
            "test_type": "cycle_life",
            "cell_type": "full",
            "visibility": "restricted",
        },
    )
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    with open(MACCOR, "rb") as handle:
        uploaded = staff.post(
            "/admin/datasets/maccor-coin-cell/files",
            data={"file": (handle, "maccor_002.txt"), "csrf_token": staff.csrf_token()},
            content_type="multipart/form-data",
            headers={"HX-Request": "true"},
        )
    assert uploaded.status_code == 200
    fragment = uploaded.get_data(as_text=True)
    assert "ingest is queued" in fragment  # the request only stores and queues
    # The fragment polls the file's progress; the (eager) job has run by the next poll.
    progress_url = re.search(r'hx-get="([^"]+/progress)"', fragment).group(1)
    assert "2 cycles" in staff.get(progress_url, headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    dataset_file = db.exec(select(DatasetFile)).one()
    assert dataset_file.format == "maccor_txt" and dataset_file.cycle_count == 2
    cycles = db.exec(select(CycleSummary).order_by(CycleSummary.cycle_index)).all()
    assert [c.cycle_index for c in cycles] == [1, 2]
    for cycle in cycles:  # a 2.3 mAh coin cell
        assert 0.0020 < cycle.discharge_capacity_ah < 0.0025
        assert 0.9 < cycle.coulombic_efficiency <= 1.0

    file_url = f"/datasets/maccor-coin-cell/files/{dataset_file.id}"
    plot = staff.get(f"{file_url}/capacity.json").get_json()
    assert plot["cycle_index"] == [1, 2] and len(plot["discharge_capacity_ah"]) == 2
    curves = staff.get(f"{file_url}/voltage.json?cycles=1,2").get_json()["cycles"]
    assert set(curves) == {"1", "2"} and len(curves["1"]["voltage_v"]) > 10

    # Grant it to Watthour under their MoU.
    granted = staff.post_form(
        "/admin/datasets/maccor-coin-cell/grants",
        {"organization_id": str(watthour.id), "agreement_id": str(mou.id), "expires_on": ""},
    )
    assert granted.status_code == 302, granted.get_data(as_text=True)[:3000]
    assert db.exec(select(DatasetGrant)).one().agreement_id == mou.id

    # A Watthour user downloads it and reads the summary with a bearer token.
    partner, partner_user = _sign_in(app, db, "partner", watthour)
    page = partner.get("/datasets/maccor-coin-cell")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Maccor coin cell" in html and "Authorization" in html
    original = partner.get(f"{file_url}/download/original")
    assert original.status_code == 200
    assert original.headers["Content-Disposition"].startswith("attachment")
    assert original.data == MACCOR.read_bytes()
    dashboard = partner.get("/me").get_data(as_text=True)
    assert "Maccor coin cell" in dashboard  # "Shared with you" on the partner dashboard

    with app.app_context():
        from portal import db as portal_db

        session = portal_db.session()
        _token, raw = create_api_token(
            session, session.get(type(partner_user), partner_user.id), "notebook"
        )
        session.commit()
    api_url = re.search(r'url = "(http[^"]+/cycles)"', html).group(1)
    bearer = {"Authorization": f"Bearer {raw}"}
    robot = app.test_client()
    summary = robot.get(api_url, headers=bearer)
    assert summary.status_code == 200, summary.get_data(as_text=True)
    body = summary.get_json()
    assert body["total"] == 2 and body["next"] is None
    assert body["items"][0]["cycle_index"] == 1
    assert 0.002 < body["items"][0]["discharge_capacity_ah"] < 0.0025
    assert (
        robot.get("/api/v1/datasets/maccor-coin-cell", headers=bearer).get_json()["files"][0][
            "format"
        ]
        == "maccor_txt"
    )
    downloads = db.exec(select(AuditEntry).where(AuditEntry.action == "dataset.downloaded")).all()
    assert [d.changes["form"] for d in downloads] == ["original"]

    # A Brandwork user gets 404 everywhere.
    other, _ = _sign_in(app, db, "partner", brandwork)
    for url in (
        "/datasets/maccor-coin-cell",
        f"{file_url}/capacity.json",
        f"{file_url}/download/original",
        "/api/v1/datasets/maccor-coin-cell",
        f"/api/v1/datasets/maccor-coin-cell/files/{dataset_file.id}/cycles",
    ):
        assert other.get(url).status_code == 404, url

    # Once the MoU expires (by date: its status is still "active"), Watthour gets 404 too.
    mou.expires_on = local_today() - timedelta(days=1)
    mou.effective_on = local_today() - timedelta(days=400)
    db.add(mou)
    db.commit()
    assert partner.get("/datasets/maccor-coin-cell").status_code == 404
    assert robot.get(api_url, headers=bearer).status_code == 404
    assert partner.get(f"{file_url}/download/original").status_code == 404
