"""A technology's optional Hindi title and summary (issue 14): staff set them on the form (audited,
limited like the English ones), Hindi pages show them, and where they are empty a Hindi page shows
the English text marked lang="en"; the API, the CSV and the OpenAPI document carry them."""

from __future__ import annotations

import csv
import io
import json
import re

from sqlmodel import select

from portal.audit.models import AuditEntry
from portal.catalog.models import Technology
from tests.factories import make_technology
from tests.helpers import counting_statements

HINDI_TITLE = "सोडियम-आयन पाउच सेल"
HINDI_SUMMARY = "लिथियम के बिना बना पाउच सेल।"
FORM = {
    "title": "Sodium-ion pouch cell",
    "slug": "na-pouch",
    "summary": "A pouch cell without lithium.",
    "chemistry": "na_ion",
    "category": "cell",
    "applications": ["ev"],
    "trl": "6",
    "licensing_status": "available",
}


def lang_en_elements(page: str) -> list[str]:
    """The elements of a page marked lang="en", the <html> element itself apart."""
    return [tag for tag in re.findall(r'<[a-z0-9]+[^>]*\blang="en"', page) if tag[:5] != "<html"]


def _saved(db, slug: str) -> Technology:
    db.expire_all()
    return db.exec(select(Technology).where(Technology.slug == slug)).one()


def test_the_staff_form_offers_the_hindi_fields_marked_as_hindi(client, db, login_as):
    login_as("staff")
    page = client.get("/admin/technologies/new").get_data(as_text=True)
    assert "Title in Hindi (optional)" in page and "Summary in Hindi (optional)" in page
    title_input = re.search(r'<input[^>]*name="title_hi"[^>]*>', page).group(0)
    summary_box = re.search(r'<textarea[^>]*name="summary_hi"[^>]*>', page).group(0)
    assert 'lang="hi"' in title_input and 'lang="hi"' in summary_box
    assert 'data-limit="200"' in title_input and 'data-limit="500"' in summary_box
    english_input = re.search(r'<input[^>]*name="title"[^>]*>', page).group(0)
    assert "lang=" not in english_input


def test_staff_set_the_hindi_title_and_summary_and_the_change_is_audited(client, db, login_as):
    login_as("staff")
    technology = make_technology(db, slug="na-pouch", title=FORM["title"])
    edit = {**FORM, "title_hi": HINDI_TITLE, "summary_hi": HINDI_SUMMARY, "version": "1"}
    response = client.post_form(f"/admin/technologies/{technology.id}/edit", edit)
    assert response.status_code == 302
    saved = _saved(db, "na-pouch")
    assert (saved.title_hi, saved.summary_hi, saved.version) == (HINDI_TITLE, HINDI_SUMMARY, 2)
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "technology.updated")).one()
    assert entry.changes["before"]["title_hi"] == ""
    assert entry.changes["after"]["title_hi"] == HINDI_TITLE
    assert entry.changes["after"]["summary_hi"] == HINDI_SUMMARY
    # The edit form shows them back, and emptying them is allowed.
    form = client.get(f"/admin/technologies/{technology.id}/edit").get_data(as_text=True)
    assert HINDI_TITLE in form and HINDI_SUMMARY in form
    cleared = {**edit, "title_hi": "", "summary_hi": "", "version": "2"}
    assert client.post_form(f"/admin/technologies/{technology.id}/edit", cleared).status_code == 302
    assert (_saved(db, "na-pouch").title_hi, _saved(db, "na-pouch").summary_hi) == ("", "")


def test_a_new_technology_can_start_with_its_hindi_title(client, db, login_as):
    login_as("staff")
    response = client.post_form("/admin/technologies/new", {**FORM, "title_hi": HINDI_TITLE})
    assert response.status_code == 302
    assert _saved(db, "na-pouch").title_hi == HINDI_TITLE
    created = db.exec(select(AuditEntry).where(AuditEntry.action == "technology.created")).one()
    assert HINDI_TITLE in json.dumps(created.changes, ensure_ascii=False)


def test_a_too_long_hindi_text_is_refused_clearly_and_nothing_changes(client, db, login_as):
    login_as("staff")
    technology = make_technology(db, slug="na-pouch", title=FORM["title"], title_hi="पुराना")
    too_long = {**FORM, "title_hi": "स" * 201, "summary_hi": "क" * 501, "version": "1"}
    response = client.post_form(f"/admin/technologies/{technology.id}/edit", too_long)
    assert response.status_code == 400  # the form again, with its errors
    page = response.get_data(as_text=True)
    assert "Use at most 200 characters; this has 201. Nothing was cut or saved." in page
    assert "Use at most 500 characters; this has 501. Nothing was cut or saved." in page
    saved = _saved(db, "na-pouch")
    assert (saved.title_hi, saved.summary_hi, saved.version) == ("पुराना", "", 1)
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "technology.updated")).all() == []


def test_hindi_pages_show_the_hindi_title_and_summary(client, db):
    make_technology(
        db,
        slug="na-pouch",
        title="Sodium-ion pouch cell",
        summary="A pouch cell without lithium.",
        title_hi=HINDI_TITLE,
        summary_hi=HINDI_SUMMARY,
    )
    listing = client.get("/hi/technologies").get_data(as_text=True)
    assert f">{HINDI_TITLE}</a></h3>" in listing and f"<p>{HINDI_SUMMARY}</p>" in listing
    assert "Sodium-ion pouch cell" not in listing and lang_en_elements(listing) == []
    assert HINDI_TITLE in client.get("/hi/").get_data(as_text=True)  # the home page's cards

    page = client.get("/hi/technologies/na-pouch").get_data(as_text=True)
    assert f"<h1>{HINDI_TITLE}</h1>" in page
    assert f'<p class="lead">{HINDI_SUMMARY}</p>' in page
    assert f"<title>{HINDI_TITLE} · " in page
    assert f'<meta property="og:title" content="{HINDI_TITLE}">' in page
    assert f'<meta name="description" content="{HINDI_SUMMARY}">' in page
    assert f'<span aria-current="page">{HINDI_TITLE}</span>' in page  # breadcrumb
    jsonld = json.loads(re.search(r'ld\+json">(.*?)</script>', page, re.S).group(1))
    assert jsonld["name"] == "Sodium-ion pouch cell"  # structured data stays English ...
    assert jsonld["alternateName"] == {"@value": HINDI_TITLE, "@language": "hi"}  # ... plus Hindi
    assert lang_en_elements(page) == []

    english = client.get("/technologies/na-pouch").get_data(as_text=True)
    assert "<h1>Sodium-ion pouch cell</h1>" in english and HINDI_SUMMARY not in english

    # The pages that name the technology on the way to it.
    interest = client.get("/hi/technologies/na-pouch/interest").get_data(as_text=True)
    assert HINDI_TITLE in interest and "Sodium-ion pouch cell" not in interest
    apply = client.get("/hi/technologies/na-pouch/apply").get_data(as_text=True)
    assert f'<p class="lead">{HINDI_TITLE}</p>' in apply


def test_without_hindi_text_a_hindi_page_shows_english_marked_lang_en(client, db):
    make_technology(db, slug="plain", title="Electrode calender", summary="Two heated rolls.")
    make_technology(db, slug="related", title="Slot-die coater", summary="A coater.")
    listing = client.get("/hi/technologies").get_data(as_text=True)
    assert '<h3 lang="en"><a href="/hi/technologies/plain">Electrode calender</a></h3>' in listing
    assert '<p lang="en">Two heated rolls.</p>' in listing

    page = client.get("/hi/technologies/plain").get_data(as_text=True)
    assert '<h1 lang="en">Electrode calender</h1>' in page
    assert '<p class="lead" lang="en">Two heated rolls.</p>' in page
    assert '<li lang="en"><span aria-current="page">Electrode calender</span></li>' in page
    assert '<h3 lang="en"><a href="/hi/technologies/related">Slot-die coater</a></h3>' in page
    assert '<html lang="hi">' in page and "प्रौद्योगिकियाँ" in page  # the interface is Hindi

    for path in ("/technologies", "/technologies/plain", "/"):
        english = client.get(path).get_data(as_text=True)
        assert '<html lang="en">' in english and lang_en_elements(english) == [], path


def test_hindi_text_is_escaped_like_any_other(client, db):
    make_technology(db, slug="hostile", title_hi='<script>alert("x")</script>', summary_hi="<b>")
    page = client.get("/hi/technologies/hostile").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in page and "<b>" not in page
    assert "&lt;script&gt;alert(" in page


def test_the_api_csv_and_openapi_carry_the_hindi_fields(client, db):
    make_technology(db, slug="na-pouch", title_hi=HINDI_TITLE, summary_hi=HINDI_SUMMARY)
    make_technology(db, slug="plain")
    items = {t["slug"]: t for t in client.get("/api/v1/technologies").get_json()["items"]}
    assert (items["na-pouch"]["title_hi"], items["na-pouch"]["summary_hi"]) == (
        HINDI_TITLE,
        HINDI_SUMMARY,
    )
    assert (items["plain"]["title_hi"], items["plain"]["summary_hi"]) == ("", "")
    detail = client.get("/api/v1/technologies/na-pouch").get_json()
    assert detail["title_hi"] == HINDI_TITLE and detail["summary_hi"] == HINDI_SUMMARY

    rows = list(csv.DictReader(io.StringIO(client.get("/technologies.csv").get_data(as_text=True))))
    by_slug = {row["slug"]: row for row in rows}
    assert by_slug["na-pouch"]["title_hi"] == HINDI_TITLE
    assert by_slug["na-pouch"]["summary_hi"] == HINDI_SUMMARY

    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name in ("Technology", "TechnologyDetail"):
        properties = schemas[name]["properties"]
        assert properties["title_hi"]["maxLength"] == 200, name
        assert properties["summary_hi"]["maxLength"] == 500, name
        assert "title_hi" not in schemas[name].get("required", []), name


def test_each_language_has_its_own_cached_page_and_an_edit_refreshes_both(
    app, client, db, login_as
):
    technology = make_technology(db, slug="na-pouch", title="Sodium pouch", title_hi=HINDI_TITLE)
    anonymous = app.test_client()
    english, hindi = "/technologies/na-pouch", "/hi/technologies/na-pouch"
    assert "<h1>Sodium pouch</h1>" in anonymous.get(english).get_data(as_text=True)
    assert f"<h1>{HINDI_TITLE}</h1>" in anonymous.get(hindi).get_data(as_text=True)
    with counting_statements(app) as statements:
        english_again = anonymous.get(english).get_data(as_text=True)
        hindi_again = anonymous.get(hindi).get_data(as_text=True)
    assert statements == []  # both from the response cache ...
    assert "<h1>Sodium pouch</h1>" in english_again  # ... each in its own language
    assert f"<h1>{HINDI_TITLE}</h1>" in hindi_again and "Sodium pouch</h1>" not in hindi_again

    login_as("staff")
    edit = {**FORM, "title": "Sodium pouch", "title_hi": "नया शीर्षक", "version": "1"}
    assert client.post_form(f"/admin/technologies/{technology.id}/edit", edit).status_code == 302
    assert "<h1>नया शीर्षक</h1>" in anonymous.get(hindi).get_data(as_text=True)
    listing = anonymous.get("/hi/technologies").get_data(as_text=True)
    assert "नया शीर्षक" in listing and HINDI_TITLE not in listing
