"""GIGW pages: policies and help (staff-edited Markdown, English and Hindi, "Last updated"), the
feedback form (stored, mailed, throttled, CSRF), the HTML and XML sitemaps and robots.txt."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlmodel import select

from portal.audit.models import AuditEntry
from portal.pages.models import ContentPage, Feedback
from tests.factories import make_dataset, make_technology

PAGES = ("privacy", "terms", "copyright", "hyperlinking", "accessibility", "help")
FEEDBACK = {
    "kind": "problem",
    "message": "The cycle plot does not load on my phone.",
    "website": "",
}


@pytest.mark.parametrize("slug", PAGES)
def test_each_policy_page_answers_with_its_text_and_last_updated(client, slug):
    response = client.get(f"/{slug}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Last updated:" in page and 'class="markdown"' in page
    assert f'href="/{slug}"' in page  # linked from every footer
    assert 'href="/feedback"' in page and 'href="/sitemap"' in page
    assert 'class="skip-link"' in page and 'aria-label="Breadcrumb"' in page


def test_staff_edit_both_languages_and_hindi_readers_get_hindi_or_marked_english(
    client, db, login_as
):
    login_as("staff")
    form = client.get("/admin/pages/privacy/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="0"' in form
    saved = client.post_form(
        "/admin/pages/privacy/edit",
        {
            "version": "0",
            "title_en": "Privacy policy",
            "body_en": "We keep **little**.\n\n<script>alert(1)</script>",
            "title_hi": "गोपनीयता नीति",
            "body_hi": "",
        },
    )
    assert saved.status_code == 303 and saved.headers["Location"] == "/privacy"
    stored = db.exec(select(ContentPage).where(ContentPage.slug == "privacy")).one()
    assert stored.version == 1
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "page.created")).one()
    page = client.get("/privacy").get_data(as_text=True)
    assert "We keep <strong>little</strong>." in page and "<script>alert" not in page

    # A second edit on the stale version 0 is a conflict and changes nothing.
    stale = client.post_form(
        "/admin/pages/privacy/edit",
        {"version": "0", "title_en": "Overwritten", "body_en": "x", "title_hi": "", "body_hi": ""},
    )
    assert stale.status_code == 409
    client.post_form(
        "/admin/pages/privacy/edit",
        {
            "version": "1",
            "title_en": "Privacy policy",
            "body_en": "We keep **little**.",
            "title_hi": "गोपनीयता नीति",
            "body_hi": "हम **कम** रखते हैं।",
        },
    )
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "page.updated")).one()

    client.post_form("/language", {"language": "hi"})
    hindi = client.get("/privacy").get_data(as_text=True)
    assert "<h1>गोपनीयता नीति</h1>" in hindi and "हम <strong>कम</strong> रखते हैं।" in hindi
    # The shipped terms come in Hindi too; once staff save them without a Hindi text, the
    # English one is shown, marked as English.
    terms = client.get("/terms").get_data(as_text=True)
    assert '<div class="markdown">' in terms and "विवाद भारत के कानूनों के अधीन होंगे।" in terms
    client.post_form(
        "/admin/pages/terms/edit",
        {"version": "0", "title_en": "Terms of use", "body_en": "Plain terms.", "title_hi": ""},
    )
    terms = client.get("/terms").get_data(as_text=True)
    assert '<div class="markdown" lang="en">' in terms and "Plain terms." in terms
    assert '<h1 lang="en">Terms of use</h1>' in terms


def test_partners_and_the_public_cannot_edit_pages(client, login_as):
    assert client.get("/admin/pages/privacy/edit").status_code == 302
    login_as("partner")
    assert client.get("/admin/pages").status_code == 403
    assert client.post_form("/admin/pages/help/edit", {"version": "0"}).status_code == 403
    assert client.get("/admin/pages/nonsense/edit").status_code in (403, 404)


def test_feedback_is_stored_mailed_to_staff_and_redirects(app, client, db, mailbox):
    response = client.post_form("/feedback", {**FEEDBACK, "email": "asha@example.org"})
    assert response.status_code == 303 and response.headers["Location"] == "/feedback/sent"
    assert "Thank you for your feedback" in client.get("/feedback/sent").get_data(as_text=True)
    [stored] = db.exec(select(Feedback)).all()
    assert stored.kind == "problem" and stored.email == "asha@example.org"
    assert stored.ip_hash and "127.0.0.1" not in stored.ip_hash
    [mail] = mailbox.to(app.config["STAFF_NOTIFY_EMAIL"])
    assert "Something does not work" in mail["Subject"]
    assert "does not load on my phone" in mailbox.body(mail)


def test_feedback_refuses_bad_input_forgery_and_floods(app, client, db, mailbox):
    short = client.post_form("/feedback", {**FEEDBACK, "message": "bad"})
    assert short.status_code == 400
    assert "Write between 10 and 3,000 characters." in short.get_data(as_text=True)
    forged = client.post("/feedback", data=FEEDBACK, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 400
    assert client.post_form("/feedback", {**FEEDBACK, "website": "spam"}).status_code == 303
    assert db.exec(select(Feedback)).all() == []  # the honeypot kept nothing
    for _ in range(app.config["FEEDBACK_PER_IP_PER_HOUR"]):
        assert client.post_form("/feedback", FEEDBACK).status_code == 303
    flood = client.post_form("/feedback", FEEDBACK)
    assert flood.status_code == 429 and int(flood.headers["Retry-After"]) > 0
    assert "several messages in the last hour" in flood.get_data(as_text=True)
    in_hindi = client.post_form("/hi/feedback", FEEDBACK)
    assert in_hindi.status_code == 429 and "कई संदेश भेजे हैं" in in_hindi.get_data(as_text=True)
    assert len(db.exec(select(Feedback)).all()) == app.config["FEEDBACK_PER_IP_PER_HOUR"]


def test_sitemaps_list_the_public_pages_only_and_robots_points_to_them(client, db):
    make_technology(db, slug="na-cell", title="Sodium cell")
    make_technology(db, slug="secret-draft", title="Draft", is_published=False)
    make_dataset(db, slug="open-data", title="Open data", visibility="public")
    make_dataset(db, slug="closed-data", title="Closed data", visibility="restricted")
    html = client.get("/sitemap").get_data(as_text=True)
    assert 'href="/technologies/na-cell"' in html and 'href="/datasets/open-data"' in html
    assert "secret-draft" not in html and "closed-data" not in html
    assert 'href="/accessibility"' in html

    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)  # noqa: S314 - our own response, in a test
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [loc.text for loc in root.findall("s:url/s:loc", ns)]
    assert "http://localhost/technologies/na-cell" in locations
    assert "http://localhost/privacy" in locations
    assert not any("secret-draft" in loc or "closed-data" in loc for loc in locations)
    assert all(url.find("s:lastmod", ns) is not None for url in root.findall("s:url", ns)[7:])

    robots = client.get("/robots.txt")
    assert robots.mimetype == "text/plain"
    text = robots.get_data(as_text=True)
    assert "Disallow: /admin" in text and "Sitemap: http://localhost/sitemap.xml" in text


def test_every_shipped_page_has_a_hindi_text(client):
    from portal.pages import defaults

    assert set(defaults.BODIES_HI) == set(defaults.BODIES_EN) == set(defaults.TITLES_HI)
    for slug in defaults.BODIES_EN:
        page = client.get(f"/hi/{slug}").get_data(as_text=True)
        assert '<div class="markdown">' in page, slug  # not the English fallback
        first_words = defaults.BODIES_HI[slug].lstrip("*").split()[:2]
        assert " ".join(first_words) in page, slug
