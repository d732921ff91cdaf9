"""Milestone evidence pointing to a dataset, and the cycle-life target checked on its summary."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.agreements.models import MilestoneEvidence
from portal.datasets import synthetic
from portal.datasets.evidence import Criterion, parse_criterion
from tests import factories


@pytest.fixture(scope="module")
def pilot_csv(tmp_path_factory):
    """600 synthetic sodium-ion cycles: still above 80 % capacity at the end."""
    return synthetic.write_csv(tmp_path_factory.mktemp("pilot") / "pilot.csv", cycles=600)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Pilot cells reach 500 cycles above 80 % capacity", Criterion(500, 0.8)),
        ("80% capacity retained after 1,000 cycles", Criterion(1000, 0.8)),
        ("Quarterly progress report", None),
        ("Deliver 5 kg of hard carbon", None),
    ],
)
def test_criteria_are_read_from_the_milestone_text(text, expected):
    assert parse_criterion(text) == expected


def test_partner_points_to_a_dataset_and_staff_see_the_check(app, client, db, login_as, pilot_csv):
    org = factories.make_organization(db)
    mou = factories.make_agreement(db, org)
    reached = factories.make_milestone(
        db, mou, title="Pilot cells reach 500 cycles above 80 % capacity", kind="pilot"
    )
    too_far = factories.make_milestone(
        db, mou, title="Pilot cells reach 700 cycles above 80 % capacity"
    )
    dataset = factories.make_dataset(db, visibility="restricted", title="Pilot cell cycling")
    factories.make_dataset_grant(db, dataset, org, agreement_id=mou.id)
    hidden = factories.make_dataset(db, visibility="restricted", title="Someone else's data")
    factories.ingest_into(app, dataset, pilot_csv)

    partner = login_as("partner", org)
    form_page = client.get(f"/milestones/{reached.id}").get_data(as_text=True)
    assert "Pilot cell cycling" in form_page and "Someone else" not in form_page

    refused = client.post_form(
        f"/milestones/{reached.id}/evidence", {"note": "x", "dataset_id": str(hidden.id)}
    )
    assert refused.status_code == 400
    assert db.exec(select(MilestoneEvidence)).all() == []

    for milestone in (reached, too_far):
        sent = client.post_form(
            f"/milestones/{milestone.id}/evidence", {"note": "", "dataset_id": str(dataset.id)}
        )
        assert sent.status_code in (302, 303), sent.get_data(as_text=True)[:2000]
    evidence = db.exec(select(MilestoneEvidence)).all()
    assert {e.dataset_id for e in evidence} == {dataset.id}
    assert all(e.submitted_by_id == partner.id for e in evidence)

    staff = app.test_client()
    user = factories.make_user(db, role="staff")
    staff.post_form("/login", {"email": user.email, "password": factories.DEFAULT_PASSWORD})
    met = staff.get(f"/milestones/{reached.id}").get_data(as_text=True)
    assert "500 cycles above 80 % capacity" in met and ">met<" in met
    missed = staff.get(f"/milestones/{too_far.id}").get_data(as_text=True)
    assert "700 cycles above 80 % capacity" in missed and "not met" in missed
