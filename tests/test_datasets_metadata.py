"""Cell and test metadata as Battery Archive shows it: taken from the file where it says it
(.ndax, .res headers), never over what staff entered, shown on the page, in the API, and as
facets on /datasets with counts under the other filters."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.audit.models import AuditEntry
from portal.datasets.models import Dataset, DatasetFile
from tests import factories
from tests.cycler_data import cycler_file, needs_mdbtools


def test_ndax_header_fills_the_empty_fields(app, db, client):
    dataset = factories.make_dataset(db, visibility="public", chemistry="li_ion")
    factories.ingest_into(app, dataset, cycler_file("nw4-120-1-6-53.ndax"))
    db.expire_all()
    saved = db.get(Dataset, dataset.id)
    assert saved.cycler == "Neware BTS Client 8.0.0.478"
    assert saved.channel == "120-0-6"
    assert (saved.voltage_min_v, saved.voltage_max_v) == (3.5, 4.9)
    assert saved.nominal_capacity_ah == pytest.approx(0.00387)
    entry = db.exec(
        select(AuditEntry).where(AuditEntry.action == "dataset.metadata_from_file")
    ).one()
    assert entry.changes["after"]["cycler"] == "Neware BTS Client 8.0.0.478"
    dataset_file = db.exec(select(DatasetFile)).one()
    assert dataset_file.test_metadata["test_name"] == "250403_kigr_gen9_06"

    page = client.get(f"/datasets/{dataset.slug}").get_data(as_text=True)
    assert "Neware BTS Client 8.0.0.478 · channel 120-0-6" in page
    assert "3.5–4.9 V" in page
    api = client.get(f"/api/v1/datasets/{dataset.slug}").get_json()
    assert api["cycler"] == "Neware BTS Client 8.0.0.478"
    assert api["files"][0]["test_metadata"]["channel"] == "120-0-6"


def test_what_staff_entered_is_never_overwritten(app, db):
    dataset = factories.make_dataset(db, cycler="Neware CT-4008 (lab 2)", nominal_capacity_ah=0.004)
    factories.ingest_into(app, dataset, cycler_file("nw4-120-1-6-53.ndax"))
    db.expire_all()
    saved = db.get(Dataset, dataset.id)
    assert saved.cycler == "Neware CT-4008 (lab 2)"
    assert saved.nominal_capacity_ah == 0.004
    assert saved.channel == "120-0-6"  # empty before: filled


@needs_mdbtools
def test_arbin_res_header_gives_cycler_channel_and_mass(app, db):
    dataset = factories.make_dataset(db)
    factories.ingest_into(app, dataset, cycler_file("20210210_FC_01_cc_01.res"))
    db.expire_all()
    saved = db.get(Dataset, dataset.id)
    assert saved.cycler.startswith("Arbin") and saved.channel == "32"
    assert saved.active_mass_g == pytest.approx(0.02264156)


def test_a_file_without_a_header_changes_nothing(app, db):
    dataset = factories.make_dataset(db)
    factories.ingest_into(app, dataset, cycler_file("maccor_002.txt"))
    db.expire_all()
    assert db.get(Dataset, dataset.id).cycler == ""
    assert not db.exec(
        select(AuditEntry).where(AuditEntry.action == "dataset.metadata_from_file")
    ).all()


def test_datasets_list_facets_by_metadata_with_counts(client, db):
    factories.make_dataset(db, title="A", visibility="public", cathode="NMC811", cycler="Arbin")
    factories.make_dataset(db, title="B", visibility="public", cathode="NMC811", cycler="Neware")
    factories.make_dataset(
        db,
        title="C",
        visibility="public",
        cathode="LFP",
        cycler="Neware",
        cell_type="half_li_cathode",
    )
    factories.make_dataset(db, title="Hidden", visibility="restricted", cathode="NVPF")

    page = client.get("/datasets").get_data(as_text=True)
    assert 'NMC811 <span class="facet-count">(2)</span>' in page
    assert "NVPF" not in page  # a restricted dataset's values are not counted or shown
    assert "Half cell vs lithium, cathode working electrode" in page

    page = client.get("/datasets?cycler=Neware").get_data(as_text=True)
    assert ">C</a>" in page and ">B</a>" in page and ">A</a>" not in page
    # Under the cycler filter NMC811 counts only B; the cycler facet keeps its own counts.
    assert 'NMC811 <span class="facet-count">(1)</span>' in page
    assert 'Arbin <span class="facet-count">(1)</span>' in page

    page = client.get("/datasets?cycler=Neware&cathode=LFP&cathode=NMC811").get_data(as_text=True)
    assert ">C</a>" in page and ">B</a>" in page

    page = client.get("/datasets?cell_type=half_li_cathode&cell_type=bogus").get_data(as_text=True)
    assert ">C</a>" in page and ">B</a>" not in page


def test_staff_form_edits_the_metadata(app, db, client, login_as):
    dataset = factories.make_dataset(db)
    login_as("staff")
    edit = {
        "title": dataset.title,
        "technology_id": "0",
        "chemistry": "na_ion",
        "test_type": "cycle_life",
        "cell_type": "full",
        "visibility": "restricted",
        "cathode": "NVPF",
        "anode": "hard carbon",
        "c_rate_charge": "0.5",
        "c_rate_discharge": "1",
        "version": str(dataset.version),
    }
    assert client.post_form(f"/admin/datasets/{dataset.slug}/edit", edit).status_code == 302
    db.expire_all()
    saved = db.get(Dataset, dataset.id)
    assert (saved.cathode, saved.anode, saved.c_rate_charge, saved.c_rate_discharge) == (
        "NVPF",
        "hard carbon",
        0.5,
        1.0,
    )
    bad = {**edit, "c_rate_charge": "-3", "version": str(saved.version)}
    assert client.post_form(f"/admin/datasets/{dataset.slug}/edit", bad).status_code == 200
    db.expire_all()
    assert db.get(Dataset, dataset.id).c_rate_charge == 0.5
