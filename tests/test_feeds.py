"""Open metadata: Atom feeds, schema.org JSON-LD, OpenGraph tags and the DCAT catalogue."""

from __future__ import annotations

import json
import re

from defusedxml import ElementTree as ET
from jsonschema_rs import validator_for

from tests import factories

ATOM = "{http://www.w3.org/2005/Atom}"
# What Google's Dataset rich results require (name; description of 50 to 5000 characters) and
# what the portal promises besides (a URL, a publisher, downloads for public data).
DATASET_SCHEMA = {
    "type": "object",
    "required": ["@context", "@type", "name", "description", "url", "creator"],
    "properties": {
        "@context": {"const": "https://schema.org"},
        "@type": {"const": "Dataset"},
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string", "minLength": 50, "maxLength": 5000},
        "url": {"type": "string", "pattern": "^https?://"},
        "distribution": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["@type", "contentUrl", "encodingFormat"],
                "properties": {"@type": {"const": "DataDownload"}},
            },
        },
    },
}
PRODUCT_SCHEMA = {
    "type": "object",
    "required": ["@context", "@type", "name", "description", "url", "additionalProperty"],
    "properties": {"@type": {"const": "Product"}, "additionalProperty": {"type": "array"}},
}


def jsonld_of(html: str) -> dict:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(found) == 1, "one JSON-LD block per page"
    return json.loads(found[0])


def test_the_technology_feed_lists_published_technologies_matching_the_filters(client, db):
    factories.make_technology(db, slug="na-feed", title="Sodium feed cell", chemistry="na_ion")
    factories.make_technology(db, slug="li-feed", title="Lithium feed cell", chemistry="li_ion")
    factories.make_technology(db, slug="hidden-feed", title="Draft feed cell", is_published=False)
    response = client.get("/technologies.atom?chemistry=na_ion")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]
    assert titles == ["Sodium feed cell"]
    assert (
        feed.find(f"{ATOM}link[@rel='self']")
        .get("href")
        .endswith("/technologies.atom?chemistry=na_ion")
    )
    everything = ET.fromstring(client.get("/technologies.atom").data)
    all_titles = {e.findtext(f"{ATOM}title") for e in everything.iter(f"{ATOM}entry")}
    assert {"Sodium feed cell", "Lithium feed cell"} <= all_titles
    assert "Draft feed cell" not in all_titles
    catalog = client.get("/technologies?chemistry=na_ion").get_data(as_text=True)
    assert (
        'type="application/atom+xml"' in catalog and "technologies.atom?chemistry=na_ion" in catalog
    )


def test_the_dataset_feed_and_dcat_list_public_datasets_only(app, client, db):
    public = factories.make_dataset(db, visibility="public", title="Open cycle-life data")
    factories.make_dataset(db, visibility="restricted", title="Secret cycle-life data")
    feed = ET.fromstring(client.get("/datasets.atom").data)
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert titles == ["Open cycle-life data"]
    response = client.get("/datasets/catalog.jsonld")
    assert response.mimetype == "application/ld+json"
    catalogue = json.loads(response.data)
    assert catalogue["@type"] == "dcat:Catalog"
    listed = [d["dct:title"] for d in catalogue["dcat:dataset"]]
    assert listed == ["Open cycle-life data"]
    assert catalogue["dcat:dataset"][0]["dcat:landingPage"].endswith(f"/datasets/{public.slug}")


def test_dcat_distributions_download(app, client, db, tmp_path):
    from tests.cycler_data import write_arbin

    dataset = factories.make_dataset(db, visibility="public", title="Downloadable data")
    factories.ingest_into(app, dataset, write_arbin(tmp_path / "a.csv", [1.0, 0.99], points=6))
    entry = json.loads(client.get("/datasets/catalog.jsonld").data)["dcat:dataset"][0]
    urls = [d["dcat:downloadURL"] for d in entry["dcat:distribution"]]
    assert len(urls) == 3  # original, CSV and Parquet of the one file
    for url in urls:
        assert client.get(url.replace("http://localhost", "")).status_code == 200


def test_pages_carry_valid_json_ld_and_opengraph_tags(app, client, db, tmp_path):
    from tests.cycler_data import write_arbin

    factories.make_technology(
        db, slug="ld-cell", title="JSON-LD cell", summary="A cell described for machines.", trl=6
    )
    page = client.get("/technologies/ld-cell").get_data(as_text=True)
    product = jsonld_of(page)
    validator_for(PRODUCT_SCHEMA).validate(product)
    assert product["name"] == "JSON-LD cell"
    assert {"name": "Technology readiness level", "value": 6, "@type": "PropertyValue"} in product[
        "additionalProperty"
    ]
    assert '<meta property="og:title" content="JSON-LD cell">' in page
    assert '<meta property="og:description" content="A cell described for machines.">' in page

    dataset = factories.make_dataset(
        db, visibility="public", title="Public data", description="**Bold** claim about cells."
    )
    factories.ingest_into(app, dataset, write_arbin(tmp_path / "b.csv", [1.0, 0.99], points=6))
    described = jsonld_of(client.get(f"/datasets/{dataset.slug}").get_data(as_text=True))
    validator_for(DATASET_SCHEMA).validate(described)
    assert "**" not in described["description"]  # Markdown is plain text for machines
    assert described["distribution"] and described["isAccessibleForFree"] is True


def test_a_restricted_dataset_page_offers_no_downloads_in_its_metadata(app, client, db, login_as):
    organization = factories.make_organization(db)
    dataset = factories.make_dataset(db, visibility="restricted", title="Granted only")
    factories.make_dataset_grant(db, dataset, organization)
    login_as("partner", organization)
    described = jsonld_of(client.get(f"/datasets/{dataset.slug}").get_data(as_text=True))
    assert "distribution" not in described and described["isAccessibleForFree"] is False
