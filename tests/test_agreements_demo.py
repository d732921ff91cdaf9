"""Demo agreements: idempotent, milestones in every state, overdue ones, an expired MoU; pages render."""

from __future__ import annotations

from sqlmodel import func, select

from portal.agreements.models import Agreement, Milestone
from portal.agreements.status import effective_status
from portal.dates import local_today
from portal.demo import accounts, agreements, catalog
from portal.vocabulary import MilestoneStatus


def seed(app, db):
    with app.test_request_context():
        for part in (accounts, catalog, agreements):
            part.seed(db)
            db.flush()
        db.commit()


def test_demo_agreements_are_complete_and_idempotent(app, client, db):
    seed(app, db)
    counts = (
        db.exec(select(func.count(Agreement.id))).one(),
        db.exec(select(func.count(Milestone.id))).one(),
    )
    seed(app, db)
    assert counts == (
        db.exec(select(func.count(Agreement.id))).one(),
        db.exec(select(func.count(Milestone.id))).one(),
    )
    today = local_today()
    by_ref = {a.reference: a for a in db.exec(select(Agreement)).all()}
    assert {"COE-MOU-2025-001", "COE-MOU-2025-002", "COE-MOU-2025-003", "COE-LIC-2025-001"} <= set(
        by_ref
    )
    assert any(effective_status(a, today) == "expired" for a in by_ref.values())
    milestones = db.exec(select(Milestone)).all()
    assert {m.status for m in milestones} == {s.value for s in MilestoneStatus}
    assert any(m.is_overdue(today) for m in milestones)
    licence = by_ref["COE-LIC-2025-001"]
    assert {m.kind for m in milestones if m.agreement_id == licence.id} >= {"payment", "pilot"}

    # Every page renders with the demo data.
    client.post_form(
        "/login", {"email": "staff@coe-battery.example", "password": accounts.DEMO_PASSWORD}
    )
    urls = ["/admin", "/admin/agreements", "/admin/milestones", "/admin/agreements/new"]
    for agreement in by_ref.values():
        urls += [f"/admin/agreements/{agreement.id}", f"/admin/agreements/{agreement.id}/edit"]
    for milestone in milestones:
        urls += [f"/milestones/{milestone.id}", f"/admin/milestones/{milestone.id}/edit"]
    for url in urls:
        assert client.get(url).status_code == 200, url
    partner = app.test_client()
    partner.post_form(
        "/login", {"email": "partner@watthour.example", "password": accounts.DEMO_PASSWORD}
    )
    page = partner.get("/me").get_data(as_text=True)
    assert "COE-LIC-2025-001" in page and 'class="overdue"' in page
    assert "COE-MOU-2025-002" not in page
    public = client.get("/partners").get_data(as_text=True)
    assert "Watthour Private Limited" in public and "Ampere Green Material" in public
