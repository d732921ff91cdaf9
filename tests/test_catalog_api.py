"""The JSON API matches the page, answers 304 to a matching ETag, and the exports are safe."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openapi_spec_validator import validate
from sqlmodel import select

from portal.catalog.models import Technology
from tests.factories import make_technology


@pytest.fixture
def catalog(db):
    make_technology(
        db, slug="na-a", title="Sodium cell A", chemistry="na_ion", trl=6, applications=("ev",)
    )
    make_technology(
        db,
        slug="na-b",
        title="Sodium cell B",
        chemistry="na_ion",
        trl=7,
        applications=("stationary",),
    )
    make_technology(
        db, slug="na-c", title="Sodium carbon", chemistry="na_ion", category="materials", trl=3
    )
    make_technology(db, slug="li-a", title="Lithium cell", chemistry="li_ion", trl=8)
    make_technology(db, slug="draft", title="Sodium draft", chemistry="na_ion", is_published=False)


def page_slugs(client, query: str) -> list[str]:
    html = client.get(f"/technologies?{query}").get_data(as_text=True)
    return re.findall(r'<h3><a href="/technologies/([a-z0-9-]+)">', html)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "chemistry=na_ion",
        "chemistry=na_ion&trl_min=6",
        "q=sodium",
        "q=sodium&category=cell&sort=trl",
        "application=ev&application=stationary",
        "licensing=licensed",
        "trl_max=5&chemistry=na_ion&chemistry=li_ion",
        "chemistry=na_ion&category=cell&licensing=available&trl_min=6",
        "chemistry=li_polymer",
    ],
)
def test_api_returns_the_same_set_as_the_page(client, catalog, query):
    api = client.get(f"/api/v1/technologies?{query}").get_json()
    assert [item["slug"] for item in api["items"]] == page_slugs(client, query)
    assert api["total"] == len(api["items"])
    html = client.get(f"/technologies?{query}").get_data(as_text=True)
    shown = re.search(r'class="result-count" role="status">\s*(\d+) technolog', html)
    assert int(shown.group(1)) == api["total"]


def test_list_items_have_the_public_fields_only(client, catalog):
    item = client.get("/api/v1/technologies?q=lithium").get_json()["items"][0]
    assert item["slug"] == "li-a" and item["applications"] == ["ev"] and item["trl"] == 8
    assert item["url"].endswith("/technologies/li-a")
    for internal in ("id", "version", "is_published", "is_archived", "is_demo", "created_at"):
        assert internal not in item


def test_pagination_with_next_links(client, db):
    for number in range(5):
        make_technology(db, title=f"Cell {number}")
    first = client.get("/api/v1/technologies?per_page=2&sort=title").get_json()
    assert first["total"] == 5 and len(first["items"]) == 2
    assert first["next"].endswith("/api/v1/technologies?sort=title&page=2&per_page=2")
    seen = [item["title"] for item in first["items"]]
    url = first["next"]
    while url:
        body = client.get(url.replace("http://localhost", "")).get_json()
        seen += [item["title"] for item in body["items"]]
        url = body["next"]
    assert seen == [f"Cell {n}" for n in range(5)]


def test_detail_and_404_for_unpublished(client, catalog):
    body = client.get("/api/v1/technologies/na-a").get_json()
    assert body["slug"] == "na-a" and "description_markdown" in body
    assert client.get("/api/v1/technologies/draft").status_code == 404
    missing = client.get("/api/v1/technologies/nothing-here")
    assert missing.status_code == 404 and missing.get_json()["error"]["status"] == 404


def test_etag_and_if_none_match(client, db, catalog):
    for url in ("/api/v1/technologies?chemistry=na_ion", "/api/v1/technologies/na-a"):
        first = client.get(url)
        etag = first.headers["ETag"]
        assert etag.startswith('"')
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
        assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200
    # A change to a listed technology changes the ETag.
    technology = db.exec(select(Technology).where(Technology.slug == "na-a")).one()
    technology.title = "Renamed"
    db.add(technology)
    db.commit()
    changed = client.get("/api/v1/technologies/na-a", headers={"If-None-Match": etag})
    assert changed.status_code == 200


def test_openapi_document_validates_and_describes_the_catalog(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert "/technologies" in document["paths"] and "/technologies/{slug}" in document["paths"]
    names = {p["name"] for p in document["paths"]["/technologies"]["get"]["parameters"]}
    assert {
        "q",
        "chemistry",
        "category",
        "application",
        "trl_min",
        "trl_max",
        "licensing",
        "page",
    } <= names


def test_api_items_match_the_documented_schema(client, catalog):
    from jsonschema_rs import validator_for

    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    technology_schema = {**schemas["Technology"], "$defs": {}}
    checker = validator_for(technology_schema)
    for item in client.get("/api/v1/technologies").get_json()["items"]:
        checker.validate(item)
    # Its patents refer to another component: resolve references against the whole document.
    detail_checker = validator_for(
        {**schemas["TechnologyDetail"], "components": {"schemas": schemas}}
    )
    detail_checker.validate(client.get("/api/v1/technologies/na-a").get_json())


def test_csv_export_of_the_filtered_list_neutralises_formulas(client, db):
    make_technology(
        db,
        slug="evil",
        title='=HYPERLINK("http://evil","x")',
        summary="+SUM(A1:A2)",
        ip_status="-2+3",
        patent_refs="@cmd",
        contact_email="\tnot-an-email",
        chemistry="na_ion",
    )
    make_technology(db, slug="other", chemistry="li_ion", title="Lithium")
    response = client.get("/technologies.csv?chemistry=na_ion")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["slug"] for row in rows] == ["evil"]
    row = rows[0]
    assert row["title"].startswith("'=")
    assert row["summary"] == "'+SUM(A1:A2)"
    assert row["ip_status"] == "'-2+3" and row["patent_refs"] == "'@cmd"
    assert row["contact_email"].startswith("'\t")
    assert row["trl"] == "5"
    for value in row.values():
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))
