"""Half cells: cellpy's anode and cathode modes, formation cycles kept out of the reference,
"not enough cycles" instead of a state-of-health number, and the staff form's cell type."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.datasets.ingest import ingest_file
from portal.datasets.ingest.conventions import Convention
from portal.datasets.ingest.summarise import SohStatus
from portal.datasets.models import CycleSummary, Dataset, DatasetFile
from tests import factories
from tests.cycler_data import cycler_file, write_arbin

LANDT = "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv"
ANODE_HALF_CELL = Convention(anode_mode=True, formation_cycles=1)


def test_landt_half_cell_in_anode_mode_reads_charge_over_discharge(tmp_path):
    result = ingest_file(cycler_file(LANDT), tmp_path / "t.parquet", convention=ANODE_HALF_CELL)

    first, second = result.cycles
    # Cycle 1 lithiates the graphite (6.3 mAh "discharge") and gives back 3.2 mAh.
    assert first["coulombic_efficiency"] == pytest.approx(0.0032 / 0.0063)
    assert first["formation"] is True and second["formation"] is False
    # Cycle 2 was cut off after its discharge: no efficiency rather than 0 %.
    assert second["coulombic_efficiency"] is None
    assert result.cycles_to_80_soh is None
    assert result.soh_status == SohStatus.NOT_ENOUGH_CYCLES
    assert "anode mode" in result.convention
    assert result.reference_rule.endswith("after 1 formation cycle")


def test_the_same_file_as_a_full_cell_gives_the_impossible_196_percent(tmp_path):
    result = ingest_file(cycler_file(LANDT), tmp_path / "t.parquet")
    assert result.cycles[0]["coulombic_efficiency"] == pytest.approx(1.96875)
    assert "cathode mode" in result.convention


def test_reference_capacity_skips_the_formation_cycles(tmp_path):
    # A large first (formation) cycle would otherwise be the reference and hide the fade.
    capacities = [1.3, 1.0, 1.02, 1.01, 0.95, 0.9, 0.85, 0.81, 0.79]
    path = write_arbin(tmp_path / "fade.csv", capacities)

    plain = ingest_file(path, tmp_path / "a.parquet")
    skipped = ingest_file(path, tmp_path / "b.parquet", convention=Convention(formation_cycles=1))

    assert plain.reference_capacity_ah == pytest.approx(1.3)
    assert skipped.reference_capacity_ah == pytest.approx(1.02)
    assert skipped.reference_rule == (
        "maximum discharge capacity of the first 3 cycles after 1 formation cycle"
    )
    assert skipped.cycles_to_80_soh == 8  # 0.81 / 1.02 = 0.794
    assert skipped.soh_status == SohStatus.REACHED
    assert [row["formation"] for row in skipped.cycles] == [True] + [False] * 8


def test_anode_mode_retention_follows_the_charge_capacity(tmp_path):
    path = write_arbin(tmp_path / "fade.csv", [1.0, 0.99, 0.98, 0.97, 0.96, 0.95])
    result = ingest_file(path, tmp_path / "a.parquet", convention=Convention(anode_mode=True))
    charges = [row["charge_capacity_ah"] for row in result.cycles]
    assert result.reference_capacity_ah == pytest.approx(max(charges[:3]))
    assert [row["capacity_retention"] for row in result.cycles] == pytest.approx(
        [c / max(charges[:3]) for c in charges]
    )
    # write_arbin charges capacity / 0.98: in anode mode the efficiency reads 1 / 0.98.
    assert result.cycles[0]["coulombic_efficiency"] == pytest.approx(1 / 0.98)


def _demo_landt(app, db):
    from portal import db as portal_db
    from portal.datasets import services
    from portal.demo.datasets import DATASETS

    spec = next(s for s in DATASETS if s["slug"] == "landt-li-graphite-coin-cell-25c")
    with app.test_request_context():
        session = portal_db.session()
        fields = {k: v for k, v in spec.items() if k in services.EDITABLE}
        created = services.create_dataset(session, slug=spec["slug"], is_demo=True, **fields)
        session.commit()
        dataset_id = created.id
    dataset = db.get(Dataset, dataset_id)
    factories.ingest_into(app, dataset, cycler_file(spec["file"]))
    return dataset


def test_demo_landt_page_shows_sensible_efficiency_and_no_state_of_health(app, client, db):
    dataset = _demo_landt(app, db)
    page = client.get(f"/datasets/{dataset.slug}").get_data(as_text=True)

    assert "196.88" not in page and "240.00" not in page
    assert "50.79" in page  # 3.2 / 6.3 mAh, the formation cycle in anode mode
    assert "Cycles to 80 % state of health: not enough cycles." in page
    assert "anode mode" in page
    assert "formation" in page
    assert "Not enough cycles for a state-of-health figure" in page


def test_staff_set_the_cell_type_on_the_form_and_the_files_are_read_again(
    app, db, client, login_as
):
    dataset = factories.make_dataset(db, chemistry="li_ion", visibility="public")
    factories.ingest_into(app, dataset, cycler_file(LANDT))
    login_as("staff")
    edit = {
        "title": dataset.title,
        "technology_id": "0",
        "chemistry": "li_ion",
        "test_type": "cycle_life",
        "cell_type": "half_li_anode",
        "formation_cycles": "",
        "visibility": "public",
        "version": str(dataset.version),
    }
    response = client.post_form(f"/admin/datasets/{dataset.slug}/edit", edit)
    assert response.status_code == 302

    db.expire_all()
    assert db.get(Dataset, dataset.id).cell_type == "half_li_anode"
    dataset_file = db.exec(select(DatasetFile)).one()
    assert dataset_file.soh_status == SohStatus.NOT_ENOUGH_CYCLES
    first = db.exec(select(CycleSummary).order_by(CycleSummary.cycle_index)).first()
    assert first.coulombic_efficiency == pytest.approx(0.0032 / 0.0063)
    assert first.formation is True  # a half cell's first cycle unless staff say otherwise


def test_an_unknown_cell_type_is_refused_and_nothing_changes(app, db, client, login_as):
    dataset = factories.make_dataset(db)
    login_as("staff")
    edit = {
        "title": "Changed",
        "technology_id": "0",
        "chemistry": "na_ion",
        "test_type": "cycle_life",
        "cell_type": "quarter_cell",
        "visibility": "restricted",
        "version": str(dataset.version),
    }
    response = client.post_form(f"/admin/datasets/{dataset.slug}/edit", edit)
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    db.expire_all()
    saved = db.get(Dataset, dataset.id)
    assert (saved.title, saved.cell_type) == (dataset.title, "full")


def test_seeding_the_demo_again_fixes_a_landt_seeded_as_a_full_cell(app, db, client):
    from portal import db as portal_db
    from portal.demo import datasets as demo

    landt = factories.make_dataset(
        db,
        slug="landt-li-graphite-coin-cell-25c",
        title="Landt (seeded before cell types)",
        visibility="public",
        is_demo=True,
    )
    factories.ingest_into(app, landt, cycler_file(LANDT))
    assert "196.88" in client.get(f"/datasets/{landt.slug}").get_data(as_text=True)

    with app.test_request_context():
        demo.seed(portal_db.session())
        portal_db.session().commit()

    page = client.get(f"/datasets/{landt.slug}").get_data(as_text=True)
    assert "196.88" not in page and "not enough cycles" in page
