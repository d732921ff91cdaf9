"""Battery Data Format export: BDF's labels and units from the one column table the reader uses,
the metadata sidecar, and a round trip (export → import → the same canonical table)."""

from __future__ import annotations

import json

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlmodel import select

from portal.audit.models import AuditEntry
from portal.datasets.ingest import ingest_file
from portal.datasets.ingest.bdf import COLUMNS, IRI_BASE
from portal.datasets.ingest.bdf_export import bdf_csv
from tests import factories
from tests.cycler_data import cycler_file

SAMPLES = [
    "maccor_002.txt",
    "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv",
    "nw4-120-1-6-53.ndax",
    "pec.csv",
]


@pytest.mark.parametrize("name", SAMPLES)
def test_export_then_import_gives_the_same_canonical_table(name, tmp_path):
    first = ingest_file(cycler_file(name), tmp_path / "a.parquet")
    exported = tmp_path / "export.bdf.csv"
    exported.write_bytes(b"".join(bdf_csv(tmp_path / "a.parquet")))

    again = ingest_file(exported, tmp_path / "b.parquet")

    assert again.format == "bdf_csv" and again.flags == []
    assert_frame_equal(
        pl.read_parquet(tmp_path / "a.parquet"), pl.read_parquet(tmp_path / "b.parquet")
    )
    assert again.cycles == first.cycles


def test_header_is_bdf_preferred_labels_with_fixed_units(tmp_path):
    ingest_file(cycler_file("maccor_002.txt"), tmp_path / "a.parquet")
    header = b"".join(bdf_csv(tmp_path / "a.parquet")).split(b"\n", 1)[0].decode()
    assert header.split(",")[:5] == [
        "Test Time / s",
        "Cycle Count / 1",
        "Step Index / 1",
        "Current / A",
        "Voltage / V",
    ]
    assert "Charging Capacity / Ah" in header and "Discharging Energy / Wh" in header
    # maccor_002 records no temperature: an all-empty optional column is left out.
    assert "Temperature" not in header
    assert {c.label for c in COLUMNS} >= set(header.split(","))


def test_page_link_download_and_metadata_sidecar(app, client, db):
    dataset = factories.make_dataset(
        db, visibility="public", chemistry="li_ion", nominal_capacity_ah=0.0023
    )
    dataset_file = factories.ingest_into(app, dataset, cycler_file("maccor_002.txt"))
    page = client.get(f"/datasets/{dataset.slug}").get_data(as_text=True)
    assert "Download as Battery Data Format" in page

    response = client.get(f"/datasets/{dataset.slug}/files/{dataset_file.id}/download/bdf")
    assert response.status_code == 200
    assert 'filename="maccor_002.bdf.csv"' in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("Test Time / s,Cycle Count / 1,")
    assert len(body.strip().splitlines()) == dataset_file.row_count + 1

    sidecar = client.get(f"/datasets/{dataset.slug}/files/{dataset_file.id}/download/bdf-metadata")
    meta = json.loads(sidecar.get_data(as_text=True))["battinfo_dataset"]["dataset"]
    assert meta["name"] == dataset.title and meta["nominal_capacity_ah"] == 0.0023
    terms = {v["name"]: v for v in meta["variable_measured"]}
    assert terms["Voltage"] == {
        "name": "Voltage",
        "unit_text": "V",
        "same_as": IRI_BASE + "voltage_volt",
    }
    forms = db.exec(
        select(AuditEntry.changes).where(AuditEntry.action == "dataset.downloaded")
    ).all()
    assert sorted(c["form"] for c in forms) == ["bdf", "bdf_metadata"]

    api = client.get(f"/api/v1/datasets/{dataset.slug}").get_json()
    assert api["files"][0]["downloads"]["bdf"].endswith("/download/bdf")


def test_bdf_download_of_a_hidden_dataset_is_404(app, client, db):
    dataset = factories.make_dataset(db, visibility="restricted")
    dataset_file = factories.ingest_into(app, dataset, cycler_file("maccor_002.txt"))
    for form in ("bdf", "bdf-metadata"):
        url = f"/datasets/{dataset.slug}/files/{dataset_file.id}/download/{form}"
        assert client.get(url).status_code == 404
