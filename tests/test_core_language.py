"""English and Hindi: the language switch changes the interface; the address keeps the choice."""

from __future__ import annotations


def test_hindi_is_chosen_and_remembered(client):
    assert "Skip to main content" in client.get("/").get_data(as_text=True)
    response = client.post_form("/language", {"language": "hi", "next": "/technologies"})
    assert response.status_code == 302 and response.headers["Location"] == "/hi/technologies"
    page = client.get("/hi/").get_data(as_text=True)
    assert '<html lang="hi">' in page
    assert "मुख्य सामग्री पर जाएँ" in page  # skip link
    assert "प्रौद्योगिकियाँ" in page  # navigation


def test_browser_language_is_honoured_and_unknown_choices_ignored(client):
    page = client.get("/", headers={"Accept-Language": "hi-IN,hi;q=0.9"}).get_data(as_text=True)
    assert '<html lang="hi">' in page
    client.post_form("/language", {"language": "xx"})
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_error_pages_speak_the_chosen_language(client):
    page = client.get("/hi/no/such/page").get_data(as_text=True)
    assert "वह पृष्ठ नहीं मिला।" in page  # "We could not find that page."
