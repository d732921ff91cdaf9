"""A dataset's optional Hindi title and description (issue 14): set on the staff form (audited,
limited like the English ones), shown on Hindi pages, English marked lang="en" where they are
empty, and carried by the API and the OpenAPI document."""

from __future__ import annotations

import json
import re

from sqlmodel import select

from portal.audit.models import AuditEntry
from portal.datasets.models import Dataset
from tests import factories
from tests.test_catalog_hindi import lang_en_elements

HINDI_TITLE = "सोडियम-आयन कॉइन सेल, 25 °C पर चक्र-जीवन"
HINDI_DESCRIPTION = "दो सौ चक्रों का **चक्र-जीवन** परीक्षण।"


def _edit(dataset, **changes) -> dict:
    return {
        "title": dataset.title,
        "technology_id": "0",
        "chemistry": "na_ion",
        "test_type": "cycle_life",
        "cell_type": "full",
        "visibility": dataset.visibility,
        "version": str(dataset.version),
        **changes,
    }


def _saved(db, dataset) -> Dataset:
    db.expire_all()
    return db.get(Dataset, dataset.id)


def test_staff_set_the_hindi_title_and_description_and_the_change_is_audited(client, db, login_as):
    dataset = factories.make_dataset(db)
    login_as("staff")
    form = client.get(f"/admin/datasets/{dataset.slug}/edit").get_data(as_text=True)
    assert (
        "Title in Hindi (optional)" in form and "Description in Hindi (Markdown, optional)" in form
    )
    assert 'lang="hi"' in re.search(r'<input[^>]*name="title_hi"[^>]*>', form).group(0)
    assert 'lang="hi"' in re.search(r'<textarea[^>]*name="description_hi"[^>]*>', form).group(0)

    edit = _edit(dataset, title_hi=HINDI_TITLE, description_hi=HINDI_DESCRIPTION)
    assert client.post_form(f"/admin/datasets/{dataset.slug}/edit", edit).status_code == 302
    saved = _saved(db, dataset)
    assert (saved.title_hi, saved.description_hi) == (HINDI_TITLE, HINDI_DESCRIPTION)
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "dataset.updated")).one()
    assert entry.changes["before"]["title_hi"] == ""
    assert entry.changes["after"]["title_hi"] == HINDI_TITLE
    assert entry.changes["after"]["description_hi"] == HINDI_DESCRIPTION


def test_a_too_long_hindi_title_is_refused_clearly_and_nothing_changes(client, db, login_as):
    dataset = factories.make_dataset(db, title_hi="पुराना")
    login_as("staff")
    response = client.post_form(
        f"/admin/datasets/{dataset.slug}/edit", _edit(dataset, title_hi="स" * 201)
    )
    assert response.status_code == 200
    assert "Use at most 200 characters; this has 201. Nothing was cut or saved." in (
        response.get_data(as_text=True)
    )
    saved = _saved(db, dataset)
    assert (saved.title_hi, saved.version) == ("पुराना", dataset.version)
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "dataset.updated")).all() == []


def test_hindi_pages_show_the_hindi_title_and_description(client, db):
    factories.make_dataset(
        db,
        slug="na-coin",
        title="Sodium-ion coin cell cycle life at 25 °C",
        description="A **cycle-life** test of two hundred cycles.",
        title_hi=HINDI_TITLE,
        description_hi=HINDI_DESCRIPTION,
        visibility="public",
    )
    listing = client.get("/hi/datasets").get_data(as_text=True)
    assert f'<a href="/hi/datasets/na-coin">{HINDI_TITLE}</a>' in listing
    assert "Sodium-ion coin cell cycle life" not in listing and lang_en_elements(listing) == []

    page = client.get("/hi/datasets/na-coin").get_data(as_text=True)
    assert f"<h1>{HINDI_TITLE}</h1>" in page and f"<title>{HINDI_TITLE} · " in page
    assert "<strong>चक्र-जीवन</strong>" in page  # the Hindi description, as Markdown
    assert "two hundred cycles" not in page.split("</head>")[1]
    assert f'<meta property="og:title" content="{HINDI_TITLE}">' in page
    jsonld = json.loads(re.search(r'ld\+json">(.*?)</script>', page, re.S).group(1))
    assert jsonld["name"] == "Sodium-ion coin cell cycle life at 25 °C"
    assert jsonld["alternateName"] == {"@value": HINDI_TITLE, "@language": "hi"}
    assert lang_en_elements(page) == []

    english = client.get("/datasets/na-coin").get_data(as_text=True)
    assert "<h1>Sodium-ion coin cell cycle life at 25 °C</h1>" in english
    assert HINDI_TITLE not in english.split("</head>")[1]  # (only in the JSON-LD)


def test_without_hindi_text_a_hindi_page_shows_english_marked_lang_en(client, db):
    factories.make_dataset(
        db, slug="plain", title="Maccor coin cell", description="Two cycles.", visibility="public"
    )
    factories.make_dataset(
        db, slug="closed", title="Closed pouch data", visibility="restricted", public_card=True
    )
    listing = client.get("/hi/datasets").get_data(as_text=True)
    assert '<a href="/hi/datasets/plain" lang="en">Maccor coin cell</a>' in listing

    page = client.get("/hi/datasets/plain").get_data(as_text=True)
    assert '<h1 lang="en">Maccor coin cell</h1>' in page
    assert '<div class="prose" lang="en"><p>Two cycles.</p>' in page
    card = client.get("/hi/datasets/closed").get_data(as_text=True)
    assert '<h1 lang="en">Closed pouch data</h1>' in card

    for path in ("/datasets", "/datasets/plain", "/datasets/closed"):
        english = client.get(path).get_data(as_text=True)
        assert '<html lang="en">' in english and lang_en_elements(english) == [], path


def test_the_technology_page_lists_its_datasets_in_hindi(client, db):
    technology = factories.make_technology(db, slug="na-cell", title_hi="सोडियम सेल")
    factories.make_dataset(
        db,
        visibility="public",
        technology_id=technology.id,
        title="Open cycling data",
        title_hi=HINDI_TITLE,
    )
    page = client.get("/hi/technologies/na-cell").get_data(as_text=True)
    assert f">{HINDI_TITLE}</a>" in page and "Open cycling data" not in page


def test_the_api_and_openapi_carry_the_hindi_fields(client, db):
    factories.make_dataset(
        db, slug="na-coin", visibility="public", title_hi=HINDI_TITLE, description_hi="विवरण"
    )
    detail = client.get("/api/v1/datasets/na-coin").get_json()
    assert (detail["title_hi"], detail["description_hi"]) == (HINDI_TITLE, "विवरण")
    items = client.get("/api/v1/datasets").get_json()["items"]
    assert [item["title_hi"] for item in items] == [HINDI_TITLE]
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Dataset"]
    assert schema["properties"]["title_hi"]["maxLength"] == 200
    assert schema["properties"]["description_hi"]["maxLength"] == 20000


def test_a_search_in_hindi_finds_datasets_and_technologies_by_their_hindi_titles(
    client, db, login_as
):
    factories.make_dataset(
        db, slug="na-coin", title="Sodium-ion coin cell", title_hi=HINDI_TITLE, visibility="public"
    )
    factories.make_dataset(db, slug="li-pouch", title="Lithium pouch cell", visibility="public")
    factories.make_technology(db, slug="na-cell", title="Sodium cell", title_hi="सोडियम सेल")
    factories.make_technology(db, slug="li-cell", title="Lithium cell")
    found = client.get("/hi/datasets?q=कॉइन").get_data(as_text=True)
    assert "/hi/datasets/na-coin" in found and "/hi/datasets/li-pouch" not in found
    assert "/datasets/na-coin" in client.get("/datasets?q=कॉइन").get_data(as_text=True)
    login_as("staff")
    datasets = client.get("/admin/datasets?q=कॉइन").get_data(as_text=True)
    assert "/admin/datasets/na-coin" in datasets and "li-pouch" not in datasets
    technologies = client.get("/admin/technologies?q=सोडियम").get_data(as_text=True)
    assert "Sodium cell" in technologies and "Lithium cell" not in technologies
