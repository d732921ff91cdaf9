"""Facets with counts under the other filters, ranked full-text search, and a bounded query count."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from tests.factories import make_technology
from tests.helpers import counting_statements


@pytest.fixture
def catalog(db):
    """A small catalog with known facet counts."""
    make_technology(
        db, slug="na-cell-a", chemistry="na_ion", category="cell", trl=6, applications=("ev",)
    )
    make_technology(
        db,
        slug="na-cell-b",
        chemistry="na_ion",
        category="cell",
        trl=7,
        applications=("ev", "stationary"),
    )
    make_technology(
        db,
        slug="na-carbon",
        chemistry="na_ion",
        category="materials",
        trl=4,
        applications=("stationary",),
        licensing_status="licensed",
    )
    make_technology(
        db,
        slug="li-cell",
        chemistry="li_ion",
        category="cell",
        trl=8,
        applications=("ev", "mobile"),
    )
    make_technology(
        db, slug="coater", chemistry="other", category="equipment", trl=6, applications=("ev",)
    )
    make_technology(
        db, slug="hidden", chemistry="na_ion", category="cell", trl=9, is_published=False
    )
    make_technology(
        db,
        slug="gone",
        chemistry="na_ion",
        category="cell",
        trl=9,
        is_published=True,
        is_archived=True,
    )


def facet_count(html: str, facet: str, value: str) -> int:
    match = re.search(
        rf'id="f-{facet}-{value}"[^>]*>\s*<label[^>]*>[^<]*<span class="facet-count">\((\d+)\)',
        html,
    )
    assert match, f"no facet {facet}={value}"
    return int(match.group(1))


def slugs(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/technologies/([a-z0-9-]+)">', html)


def test_facet_counts_apply_every_other_filter(client, catalog):
    html = client.get("/technologies?chemistry=na_ion&trl_min=6").get_data(as_text=True)
    assert sorted(slugs(html)) == ["na-cell-a", "na-cell-b"]
    # Chemistry counts ignore the chemistry filter but honour TRL >= 6.
    assert facet_count(html, "chemistry", "na_ion") == 2
    assert facet_count(html, "chemistry", "li_ion") == 1
    assert facet_count(html, "chemistry", "other") == 1
    # Category counts apply chemistry and TRL.
    assert facet_count(html, "category", "cell") == 2
    assert facet_count(html, "category", "materials") == 0
    assert facet_count(html, "application", "stationary") == 1
    assert facet_count(html, "licensing", "available") == 2
    # The TRL options count under the chemistry filter but not the TRL range.
    assert re.search(r'<option value="4">4 \(1\)</option>', html)
    assert 'id="f-chemistry-na_ion" name="chemistry" value="na_ion" checked' in html
    assert "hidden" not in slugs(html) and "gone" not in slugs(html)


def test_several_values_of_one_facet_are_ored(client, catalog):
    html = client.get("/technologies?chemistry=na_ion&chemistry=other&application=ev").get_data(
        as_text=True
    )
    assert sorted(slugs(html)) == ["coater", "na-cell-a", "na-cell-b"]
    assert facet_count(html, "application", "stationary") == 2


def test_sodium_ion_at_trl_6_or_more_is_one_shareable_url(client, catalog):
    html = client.get("/technologies?chemistry=na_ion&trl_min=6&sort=trl").get_data(as_text=True)
    assert slugs(html) == ["na-cell-b", "na-cell-a"]


def test_an_empty_result_says_so_and_offers_to_clear(client, catalog):
    html = client.get("/technologies?chemistry=li_polymer").get_data(as_text=True)
    assert "No technology matches these filters." in html
    assert 'href="/technologies">Clear all filters' in html


def test_search_is_ranked_title_first(client, db):
    make_technology(
        db,
        slug="mention",
        title="Electrode coater",
        summary="Coats electrodes.",
        description="Works for sodium cells too.",
    )
    make_technology(
        db,
        slug="summary-hit",
        title="Cell line",
        summary="Sodium chemistry pilot line.",
        description="",
    )
    make_technology(
        db, slug="title-hit", title="Sodium-ion cell", summary="A cell.", description=""
    )
    make_technology(db, slug="no-hit", title="BMS", summary="Balancing.", description="")
    html = client.get("/technologies?q=sodium").get_data(as_text=True)
    assert slugs(html) == ["title-hit", "summary-hit", "mention"]
    api = client.get("/api/v1/technologies?q=sodium").get_json()
    assert [item["slug"] for item in api["items"]] == ["title-hit", "summary-hit", "mention"]


def test_search_stems_and_matches_prefixes_as_you_type(client, db):
    make_technology(
        db, slug="recycling", title="Hydrometallurgical recycling", summary="Recovers cobalt."
    )
    assert slugs(client.get("/technologies?q=recycled").get_data(as_text=True)) == ["recycling"]
    assert slugs(client.get("/technologies?q=hydrometal").get_data(as_text=True)) == ["recycling"]
    assert slugs(client.get("/technologies?q=cobalt+recyc").get_data(as_text=True)) == ["recycling"]
    assert slugs(client.get("/technologies?q=cobalt+nickel").get_data(as_text=True)) == []


def test_edits_reach_the_search_index(client, db, login_as):
    technology = make_technology(db, slug="renamed", title="Old name")
    technology.title = "Calendering machine"
    db.add(technology)
    db.commit()
    assert slugs(client.get("/technologies?q=calendering").get_data(as_text=True)) == ["renamed"]
    assert slugs(client.get("/technologies?q=old").get_data(as_text=True)) == []


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"sodium',
        "sod*",
        "NEAR(a b)",
        "-sodium",
        "a:b",
        "sodium OR",
        "\x00",
        "'; DROP TABLE technology; --",
        "(",
        "x" * 10_000,
        "^ AND NOT",
        "नमस्ते",
    ],
)
def test_hostile_search_never_fails(client, catalog, q):
    for url in ("/technologies", "/api/v1/technologies", "/technologies.csv"):
        response = client.get(url, query_string={"q": q})
        assert response.status_code == 200, (url, q)


def _count_statements(app, client, url: str) -> int:
    with counting_statements(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize(
    "url",
    [
        "/technologies",
        "/technologies?chemistry=na_ion&q=cell&trl_min=2",
        "/api/v1/technologies",
        "/api/v1/technologies?chemistry=na_ion&application=ev",
        "/technologies.csv",
    ],
)
def test_the_number_of_statements_does_not_grow_with_the_catalog(app, client, db, url):
    for _ in range(3):
        make_technology(db, title="Sodium cell", applications=("ev", "mobile"))
    few = _count_statements(app, client, url)
    for _ in range(27):
        make_technology(db, title="Sodium cell", applications=("ev", "stationary"))
    many = _count_statements(app, client, url)
    assert few == many
    assert many <= 5


def test_facet_and_search_queries_use_their_indexes(app, db):
    """QUALITY.md speed trap: facet counts read the narrow covering index, search the FTS index."""
    from portal.catalog.models import PG_SEARCH_DOCUMENT

    if db.get_bind().dialect.name == "sqlite":
        plan = db.exec(
            text(
                "EXPLAIN QUERY PLAN SELECT category, count(*) FROM technology WHERE "
                "is_published = 1 AND is_archived = 0 AND chemistry IN ('na_ion') GROUP BY category"
            )
        ).all()
        details = " ".join(row[-1] for row in plan)
        assert "COVERING INDEX ix_technology_facets" in details, details
        return
    # PostgreSQL: the query's tsvector expression must match the GIN expression index.
    db.exec(text("SET enable_seqscan = off"))
    plan = db.exec(
        text(
            f"EXPLAIN SELECT id FROM technology WHERE ({PG_SEARCH_DOCUMENT}) "
            "@@ to_tsquery('english'::regconfig, 'sodium:*')"
        )
    ).all()
    details = " ".join(row[0] for row in plan)
    assert "ix_technology_fts_document" in details, details


def test_the_hindi_title_and_summary_are_searched_too(client, db):
    technology = make_technology(
        db,
        slug="na-prismatic",
        title="Sodium-ion prismatic cell",
        title_hi="सोडियम-आयन प्रिज़्मैटिक सेल",
        summary_hi="कठोर कार्बन एनोड वाला सेल",
    )
    make_technology(db, slug="lfp", title="LFP cylindrical cell")
    hindi_page = client.get("/hi/technologies?q=सोडियम").get_data(as_text=True)
    assert re.findall(r'<h3><a href="/hi/technologies/([a-z0-9-]+)"', hindi_page) == [
        "na-prismatic"
    ]
    assert slugs(client.get("/technologies?q=कार्बन+से").get_data(as_text=True)) == ["na-prismatic"]
    technology.title_hi, technology.summary_hi = "नया नाम", ""  # an edit reaches the index
    db.add(technology)
    db.commit()
    assert slugs(client.get("/technologies?q=सोडियम").get_data(as_text=True)) == []
    assert slugs(client.get("/technologies?q=नया").get_data(as_text=True)) == ["na-prismatic"]
