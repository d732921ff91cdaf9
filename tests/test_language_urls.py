"""The language in the address: /hi/... is Hindi for anyone, keeps its links in Hindi, sets no cookie."""

from __future__ import annotations

from tests import factories


def test_a_hindi_address_is_hindi_without_a_cookie_and_its_links_stay_hindi(client, db):
    factories.make_technology(db, slug="hindi-cell", title="Hindi cell")
    response = client.get("/hi/technologies")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="hi">' in html
    assert "Set-Cookie" not in response.headers
    assert 'href="/hi/technologies/hindi-cell"' in html
    assert "/hi/static/css/portal.css" in html
    assert client.get("/hi/static/css/portal.css").status_code == 200
    english = client.get("/technologies").get_data(as_text=True)
    assert '<html lang="en">' in english and 'href="/technologies/hindi-cell"' in english


def test_choosing_a_language_goes_to_its_address_and_stores_nothing(client):
    to_hindi = client.post_form(
        "/language", {"language": "hi", "next": "/technologies?chemistry=na_ion"}
    )
    assert to_hindi.status_code == 302
    assert to_hindi.headers["Location"] == "/hi/technologies?chemistry=na_ion"
    assert "Set-Cookie" not in to_hindi.headers
    back = client.post_form("/hi/language", {"language": "en", "next": "/technologies"})
    assert back.headers["Location"] == "/technologies"


def test_english_is_chosen_explicitly_when_the_browser_prefers_hindi(client):
    assert '<html lang="hi">' in client.get(
        "/technologies", headers={"Accept-Language": "hi"}
    ).get_data(as_text=True)
    chosen = client.post_form(
        "/language",
        {"language": "en", "next": "/technologies"},
        headers={"Accept-Language": "hi"},
    )
    assert chosen.headers["Location"] == "/en/technologies"
    page = client.get("/en/technologies", headers={"Accept-Language": "hi"})
    assert '<html lang="en">' in page.get_data(as_text=True)


def test_an_unknown_language_or_an_outside_next_goes_nowhere_else(client):
    odd = client.post_form("/language", {"language": "xx", "next": "https://evil.example/"})
    assert odd.headers["Location"] == "/"
