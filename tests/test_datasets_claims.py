"""Claims checked against data (issue 13 part 8): a technology's key figure linked to a dataset
measure shows "supported by test data" when they agree and what the data says when they do not;
staff get an alert on the dashboard; the demo is consistent. One deliberate contradiction lives
here: a cell claimed at 3000 cycles whose test reaches 80 % at cycle 5."""

from __future__ import annotations

from sqlmodel import select

from portal.audit.models import AuditEntry
from portal.catalog.models import Technology
from portal.datasets import claims
from portal.datasets.claims import CycleRow, FileLife, Measure
from portal.datasets.models import TechnologyClaim
from tests import factories
from tests.cycler_data import write_arbin

FADING = [1.0, 0.96, 0.92, 0.86, 0.79, 0.75]  # under 80 % of the reference at cycle 5


def test_measures_from_summaries():
    assert claims.cycles_to_80([FileLife(787, 1000), FileLife(640, 1000)]) == Measure(787.0)
    assert claims.cycles_to_80([FileLife(None, 500)]) == Measure(500.0, at_least=True)
    assert claims.cycles_to_80([]) == Measure(None)
    rows = [
        CycleRow(1, 1, 1.0, 0.90, 1.20),
        CycleRow(1, 2, 0.97, 0.995, 1.18),
        CycleRow(1, 3, 0.95, 0.993, 1.15),
        CycleRow(2, 1, 1.0, 0.91, 1.10),
        CycleRow(2, 3, 0.90, 0.992, 1.05),
    ]
    assert claims.retention_after(rows, 3) == Measure(95.0)
    assert claims.retention_after(rows, 99) == Measure(None)
    assert claims.coulombic_efficiency(rows) == Measure(99.33)  # formation cycle left out
    assert claims.capacity(rows) == Measure(1.15)  # mean of the files' peaks, 1.20 and 1.10


def test_verdicts():
    assert claims.verdict(750, Measure(787.0), 5) == "supported"
    assert claims.verdict(3000, Measure(787.0), 5) == "contradicted"
    assert claims.verdict(800, Measure(787.0), 5) == "supported"  # within 5 %
    assert claims.verdict(3000, Measure(500.0, at_least=True), 5) == "unproven"
    assert claims.verdict(None, Measure(787.0), 5) == "unproven"
    assert claims.verdict(3000, Measure(None), 5) == "unproven"


def _technology_with_data(app, db, tmp_path, visibility="public", **overrides):
    technology = factories.make_technology(db, cycle_life=3000, **overrides)
    dataset = factories.make_dataset(
        db, visibility=visibility, technology_id=technology.id, title="Pilot cells, 6 cycles"
    )
    factories.ingest_into(app, dataset, write_arbin(tmp_path / "fading.csv", FADING, points=6))
    return technology, dataset


def test_a_contradicted_claim_shows_what_the_data_says_and_alerts_staff(
    app, client, db, login_as, tmp_path
):
    technology, dataset = _technology_with_data(app, db, tmp_path)
    login_as("staff")
    response = client.post_form(
        f"/admin/technologies/{technology.id}/claims",
        {"figure": "cycles_to_80", "dataset_id": dataset.id, "tolerance_pct": "5"},
    )
    assert response.status_code == 303

    page = app.test_client().get(f"/technologies/{technology.slug}").get_data(as_text=True)
    assert "not supported by the test data" in page
    assert "The data reaches 80 % capacity at cycle 5." in page
    dashboard = client.get("/admin").get_data(as_text=True)
    assert "Claims the test data contradicts" in dashboard and technology.title in dashboard

    # Corrected to what the data shows: supported, and the alert is gone.
    db.refresh(technology)
    technology.cycle_life = 5
    db.add(technology)
    db.commit()
    page = app.test_client().get(f"/technologies/{technology.slug}").get_data(as_text=True)
    assert "supported by test data" in page and "not supported" not in page
    assert "Claims the test data contradicts" not in client.get("/admin").get_data(as_text=True)


def test_unlinking_a_claim_removes_it_and_files_the_entry_under_the_technology(
    app, client, db, login_as, tmp_path
):
    technology, dataset = _technology_with_data(app, db, tmp_path)
    login_as("staff")
    client.post_form(
        f"/admin/technologies/{technology.id}/claims",
        {"figure": "cycles_to_80", "dataset_id": dataset.id, "tolerance_pct": "5"},
    )
    claim = db.exec(select(TechnologyClaim)).one()
    response = client.post_form(f"/admin/claims/{claim.id}/delete")
    assert response.status_code == 303
    db.expire_all()
    assert db.exec(select(TechnologyClaim)).all() == []
    entry = db.exec(
        select(AuditEntry).where(AuditEntry.action == "technology.claim_unlinked")
    ).one()
    assert entry.target_type == "technology" and entry.target_id == str(technology.id)
    assert entry.changes["figure"] == "cycles_to_80"
    assert entry.changes["dataset_id"] == dataset.id


def test_a_restricted_dataset_gives_the_verdict_but_not_its_numbers(
    app, client, db, login_as, tmp_path
):
    technology, dataset = _technology_with_data(app, db, tmp_path, visibility="restricted")
    with app.test_request_context():
        claims.link_claim(db, technology, figure="cycles_to_80", dataset_id=dataset.id)
        db.commit()
    page = client.get(f"/technologies/{technology.slug}").get_data(as_text=True)
    assert "not supported by the test data" in page
    assert "cycle 5" not in page and dataset.title not in page
    login_as("staff")
    staff_page = client.get(f"/technologies/{technology.slug}").get_data(as_text=True)
    assert "The data reaches 80 % capacity at cycle 5." in staff_page


def test_bad_links_are_refused_with_a_message_and_nothing_stored(
    app, client, db, login_as, tmp_path
):
    technology, dataset = _technology_with_data(app, db, tmp_path)
    no_capacity = factories.make_technology(db, capacity_ah=None)
    login_as("staff")
    for tech, data, message in (
        (
            technology,
            {"figure": "coulombic_efficiency", "dataset_id": dataset.id},
            "claimed percentage",
        ),
        (
            technology,
            {"figure": "retention_after", "dataset_id": dataset.id, "claimed_value": "80"},
            "after how many cycles",
        ),
        (
            no_capacity,
            {"figure": "capacity", "dataset_id": dataset.id},
            "Give the technology a capacity first",
        ),
        (technology, {"figure": "bogus", "dataset_id": dataset.id}, "Not a valid choice"),
    ):
        response = client.post_form(f"/admin/technologies/{tech.id}/claims", data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), data
    assert db.exec(select(TechnologyClaim)).all() == []
    link = {"figure": "cycles_to_80", "dataset_id": dataset.id}
    assert client.post_form(f"/admin/technologies/{technology.id}/claims", link).status_code == 303
    again = client.post_form(f"/admin/technologies/{technology.id}/claims", link)
    assert again.status_code == 400
    assert "already linked to that dataset" in again.get_data(as_text=True)
    assert len(db.exec(select(TechnologyClaim)).all()) == 1


def test_the_demo_claims_agree_with_the_demo_data(app, db):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    cell = db.exec(select(Technology).where(Technology.slug == "sodium-ion-18650-cell")).one()
    assert cell.cycle_life == 750  # was 3000, while its own test reaches 80 % at cycle 787
    with app.app_context():
        from portal import db as portal_db

        checks = claims.check_claims(portal_db.session())
        assert len(checks) == 3
        assert {c.verdict for c in checks} == {"supported"}, [
            (c.claim.figure, c.claimed, c.measured) for c in checks
        ]
        by_figure = {c.claim.figure: c for c in checks}
        assert by_figure["cycles_to_80"].measured == Measure(787.0)
        assert by_figure["capacity"].claimed == 1.2
