"""The one-page technology sheet: a real PDF whose text says what the page says."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from portal.patents.models import Patent
from tests import factories


def test_the_sheet_renders_the_record_with_its_ip_contact_and_qr(client, db):
    technology = factories.make_technology(
        db,
        slug="na-18650",
        title="Sodium-ion 18650 cell",
        trl=6,
        specific_energy_wh_per_kg=160.0,
        cycle_life=3000,
        cost_inr_per_kwh=9500,
        ip_status="Indian patent application filed",
        contact_name="Dr. Meera Raghavan",
        contact_email="techtransfer@coe-battery.example",
        problem="India imports almost all of its lithium.",
    )
    db.add(
        Patent(
            technology_id=technology.id,
            jurisdiction="IN",
            application_number="202341012345",
            filing_date=date(2023, 2, 20),
            status="examination",
        )
    )
    db.commit()
    response = client.get("/technologies/na-18650/sheet.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert 'filename="na-18650.pdf"' in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    for expected in (
        "Sodium-ion 18650 cell",
        "TRL 6 of 9",
        "160 Wh/kg",
        "3000 cycles",
        "₹9,500 / kWh",
        "IN 202341012345 (under examination)",
        "techtransfer@coe-battery.example",
        "India imports almost all of its lithium.",
        "/technologies/na-18650",
    ):
        assert expected in text, expected
    assert reader.pages[0].images, "the QR code image is missing"


def test_an_unpublished_technology_has_no_public_sheet(client, db):
    factories.make_technology(db, slug="secret-cell", is_published=False)
    assert client.get("/technologies/secret-cell/sheet.pdf").status_code == 404


def test_the_page_offers_the_sheet(client, db):
    factories.make_technology(db, slug="offer-cell")
    page = client.get("/technologies/offer-cell").get_data(as_text=True)
    assert "/technologies/offer-cell/sheet.pdf" in page
