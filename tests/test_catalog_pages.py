"""The catalog page with and without htmx, technology pages, and stored XSS rendered inert."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.factories import make_technology

HTMX = {"HX-Request": "true"}


def test_full_page_without_htmx_and_fragment_with_it(client, db):
    make_technology(db, slug="na-cell", title="Sodium cell")
    page = client.get("/technologies?chemistry=na_ion")
    html = page.get_data(as_text=True)
    assert "<html" in html and 'id="catalog-results"' in html and "Sodium cell" in html
    assert "HX-Request" in page.headers["Vary"]
    # The form works without JavaScript: a real GET action, and htmx attributes for live updates.
    assert 'method="get" action="/technologies"' in html
    assert 'hx-get="/technologies"' in html and 'hx-push-url="true"' in html
    assert 'hx-target="#catalog-results"' in html and "input changed delay:300ms" in html

    fragment = client.get("/technologies?chemistry=na_ion&q=&trl_min=", headers=HTMX)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "Sodium cell" in body and 'class="facets"' in body
    assert "HX-Request" in fragment.headers["Vary"]
    # The address bar gets the clean, shareable URL.
    assert fragment.headers["HX-Push-Url"] == "/technologies?chemistry=na_ion"


def test_a_history_restore_gets_the_full_page(client, db):
    make_technology(db)
    response = client.get(
        "/technologies?chemistry=na_ion",
        headers={**HTMX, "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.get_data(as_text=True)


def test_htmx_config_reloads_on_back_instead_of_caching(client):
    html = client.get("/technologies").get_data(as_text=True)
    assert '"historyCacheSize": 0' in html and '"refreshOnHistoryMiss": true' in html


def test_pagination_keeps_the_filters(client, db):
    for number in range(23):
        make_technology(db, title=f"Cell {number:02d}")
    html = client.get("/technologies?chemistry=na_ion&sort=title").get_data(as_text=True)
    assert "23 technologies" in html and "page 1 of 2" in html
    assert 'href="/technologies?chemistry=na_ion&amp;sort=title&amp;page=2"' in html
    second = client.get("/technologies?chemistry=na_ion&sort=title&page=2").get_data(as_text=True)
    assert "Cell 22" in second and "Cell 00" not in second


def test_technology_page_tells_the_story(client, db):
    make_technology(
        db,
        slug="na-18650",
        title="Sodium-ion 18650",
        problem="Lithium is imported.",
        advantage="No **cobalt**.",
        applications_text="Two-wheelers.",
        trl=6,
        specific_energy_wh_per_kg=140.0,
        cycle_life=3000,
        cost_inr_per_kwh=1234567,
        ip_status="Patent filed",
        patent_refs="IN 202341012345",
    )
    make_technology(db, slug="sibling", title="Hard carbon", category="materials")
    html = client.get("/technologies/na-18650").get_data(as_text=True)
    for expected in (
        "The problem it solves",
        "Lithium is imported.",
        "<strong>cobalt</strong>",
        "Two-wheelers.",
        "TRL 6 of 9",
        'value="6"',
        "140 Wh/kg",
        "3000 cycles",
        "₹12,34,567 / kWh",
        "Patent filed",
        "IN 202341012345",
        "Related technologies",
        "Hard carbon",
        'action="/technologies/na-18650/interest"',
        'class="honeypot"',
    ):
        assert expected in html, expected
    assert "Only CoE staff" not in html


def test_unknown_and_odd_slugs_are_404(client):
    assert client.get("/technologies/no-such-thing").status_code == 404
    assert client.get("/technologies/%00").status_code == 404
    assert client.get("/technologies/" + "a" * 300).status_code == 404


XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'><svg onload=alert(3)>"
MARKDOWN_XSS = (
    "[click](javascript:alert(4)) <iframe src=//evil></iframe>\n\n"
    '<a href="javascript:alert(5)">x</a> ![i](x" onerror="alert(6))'
)


@pytest.fixture
def hostile(db):
    return make_technology(
        db,
        slug="hostile",
        title=XSS,
        summary=XSS,
        description=MARKDOWN_XSS + XSS,
        problem=MARKDOWN_XSS,
        advantage=XSS,
        applications_text=XSS,
        ip_status=XSS,
        patent_refs=XSS,
        contact_name=XSS,
        contact_email="x@example.org",
    )


class _Attributes(HTMLParser):
    """Every (tag, attribute, value) as a browser's parser sees them: escaped text inside an
    attribute value (a page title in <meta content>, say) is a value, not an attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.found += [(tag, name, value or "") for name, value in attrs]


def _planted(html: str) -> list[tuple[str, str, str]]:
    parser = _Attributes()
    parser.feed(html)
    return [
        (tag, name, value)
        for tag, name, value in parser.found
        if name.startswith("on")
        or (name in ("href", "src") and value.strip().lower().startswith("javascript:"))
    ]


def _assert_inert(html: str) -> None:
    """No tag the payloads tried to plant survives as markup; the text shows escaped."""
    assert "<script>" not in html
    assert "<iframe" not in html and "<svg" not in html and "<img src=x" not in html
    assert not _planted(html), _planted(html)
    assert "&lt;script&gt;" in html


def test_stored_xss_is_escaped_on_every_page(client, db, hostile, login_as):
    _assert_inert(client.get("/technologies/hostile").get_data(as_text=True))
    _assert_inert(client.get("/technologies").get_data(as_text=True))
    _assert_inert(client.get("/technologies", headers=HTMX).get_data(as_text=True))
    login_as("staff")
    _assert_inert(client.get("/admin/technologies").get_data(as_text=True))
    edit = client.get(f"/admin/technologies/{hostile.id}/edit").get_data(as_text=True)
    assert "<script>alert" not in edit


def test_home_page_searches_the_catalog_and_shows_the_newest(client, db):
    make_technology(db, slug="old-one", title="Older technology")
    make_technology(db, slug="draft-one", title="Draft technology", is_published=False)
    make_technology(db, slug="new-one", title="Newest technology")
    html = client.get("/").get_data(as_text=True)
    assert '<form class="home-search" method="get" action="/technologies" role="search">' in html
    assert html.index("Newest technology") < html.index("Older technology")
    assert "Draft technology" not in html


def test_a_page_past_the_last_goes_to_the_last_page(client, db):
    for n in range(22):
        make_technology(db, slug=f"na-{n}", title=f"Sodium cell {n}", chemistry="na_ion")
    response = client.get("/technologies?chemistry=na_ion&page=999")
    assert response.status_code == 302
    assert response.headers["Location"] == "/technologies?chemistry=na_ion&page=2"
    last = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "22 technologies" in last and "No technology matches" not in last
    assert last.count('class="card tech-card"') == 2
    # One page only: back to the plain list; an empty catalog stays on page 1 and says so.
    assert client.get("/technologies?q=Sodium+cell+7&page=5").headers["Location"] == (
        "/technologies?q=Sodium+cell+7"
    )
    empty = client.get("/technologies?q=nothing-like-this&page=3")
    assert empty.status_code == 302
    assert "No technology matches" in client.get(empty.headers["Location"]).get_data(as_text=True)
