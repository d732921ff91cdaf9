"""Every HTML page of each audience at 360 px in Chromium: nothing wider than the screen. The
records carry what breaks a phone layout: a 60-letter word, a long code line, wide tables."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask

from portal.patents.models import Patent
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.cycler_data import CYCLER_DIR
from tests.e2e.conftest import sign_in
from tests.e2e.helpers import DESKTOP, PHONE, assert_clean, horizontal_overflow

LONG_WORD = "Natriumionenbatteriezellenfertigungsanlagenqualitätssicherung" + "x" * 10
LONG_CODE = "curl -H 'Authorization: Bearer btp_example' " + "https://portal.example/" + "a" * 120
# What sticks out, to say where a failure comes from.
WIDE = """() => [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > innerWidth + 1)
    .map((e) => `${e.tagName}.${e.className}`).slice(0, 6)"""
SCROLL_BOX = """(e) => [e.scrollWidth, e.clientWidth, getComputedStyle(e).overflowX,
    e.getBoundingClientRect().right]"""
# Not pages: data, files, feeds and the API; and the ones that need a mailed token.
SKIP = re.compile(
    r"^/(api/|static/|calendar/|healthz|readyz)|\.(json|jsonld|csv|ics|xml|txt|pdf|atom)$|/download/|/documents/|/file$"
)


def _world(app, db) -> dict:
    organization = factories.make_organization(db, name=f"Organisation {LONG_WORD}")
    technology = factories.make_technology(
        db,
        slug="long-words",
        title=f"Cell {LONG_WORD}",
        summary=f"Summary with {LONG_WORD} in it.",
        description=f"Intro.\n\n```\n{LONG_CODE}\n```\n\n| a | b | c | d | e | f |\n|---|---|---|---|---|---|\n"
        + "| "
        + " | ".join([LONG_WORD[:30]] * 6)
        + " |\n",
    )
    dataset = factories.make_dataset(
        db,
        slug="phone-data",
        title=f"Data {LONG_WORD}",
        visibility="public",
        technology_id=technology.id,
    )
    dataset_file = factories.ingest_into(app, dataset, CYCLER_DIR / "maccor_002.txt")
    factories.make_dataset_grant(db, dataset, organization)
    agreement = factories.make_agreement(
        db, organization=organization, title=f"MoU {LONG_WORD}", scope=f"```\n{LONG_CODE}\n```"
    )
    milestone = factories.make_milestone(db, agreement, title=f"Deliver {LONG_WORD}")
    inquiry = factories.make_inquiry(db, technology, message=f"Hello {LONG_WORD}")
    partner = factories.make_user(db, role="partner", organization_id=organization.id)
    patent = Patent(
        technology_id=technology.id,
        jurisdiction="WO",
        application_number="PCT/IN2024/050123",
        filing_date=date(2024, 2, 19),
        family=f"Family {LONG_WORD}",
    )
    db.add(patent)
    db.commit()
    return {
        "agreement_id": agreement.id,
        "milestone_id": milestone.id,
        "org_id": organization.id,
        "tech_id": technology.id,
        "inquiry_id": inquiry.id,
        "file_id": dataset_file.id,
        "user_id": partner.id,
        "patent_id": patent.id,
        "partner": partner,
        "catalog": technology.slug,
        "datasets": dataset.slug,
    }


def _pages(app: Flask, world: dict) -> list[str]:
    """Every GET page of the app with real arguments (tokens get a dummy: their error page)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        values = {}
        for name in rule.arguments:
            if name == "slug":
                values[name] = world[
                    "datasets" if rule.endpoint.startswith("datasets") else "catalog"
                ]
            elif name in world:
                values[name] = world[name]
            elif type(rule._converters[name]).__name__ == "IntegerConverter":
                values[name] = 987654
            else:
                values[name] = "not-a-real-token"
        url = rule.build(values, append_unknown=False)[1]
        if not SKIP.search(url):
            urls.append(url)
    return sorted(set(urls))


@pytest.mark.parametrize("role", ["anonymous", "partner", "staff"])
def test_no_page_is_wider_than_a_phone(app, live_server, page, db, role):
    world = _world(app, db)
    if role == "partner":
        sign_in(page, live_server, world["partner"].email, TEST_PASSWORD)
    elif role == "staff":
        admin = factories.make_user(db, role="admin", name=f"Admin {LONG_WORD[:20]}")
        sign_in(page, live_server, admin.email, TEST_PASSWORD)
    page.set_viewport_size(PHONE)
    wide = {}
    visited = 0
    for url in _pages(app, world):
        if url == "/logout":
            continue
        page.goto(f"{live_server}{url}")
        visited += 1
        overflow = horizontal_overflow(page)
        if overflow > 0:
            wide[url] = (overflow, page.evaluate(WIDE))
    assert visited >= 40
    assert wide == {}, f"wider than 360 px as {role}: {wide}"
    # Bad tokens answer 404 and another audience's pages 403, which Chromium logs (their error
    # pages were measured too); nothing else may appear in the console.
    refused = re.compile(r"status of 40[34] ")
    page.console_errors[:] = [e for e in page.console_errors if not refused.search(e)]
    assert_clean(page)


def test_phone_filters_collapse_and_code_and_tables_scroll_in_their_box(app, live_server, page, db):
    _world(app, db)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/technologies")
    toggle = page.get_by_role("button", name="Filters", exact=True)
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator(".facets").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and page.locator(".facets").is_visible()
    page.get_by_label(re.compile(r"^Sodium-ion")).check()
    page.wait_for_url(re.compile(r"chemistry=na_ion"))
    page.wait_for_load_state("networkidle")
    assert page.locator(".facets").is_visible(), "the swap closed the filters the visitor opened"

    page.goto(f"{live_server}/technologies/long-words")
    # The code line is longer than the screen: it keeps its line and scrolls in its own box.
    sizes = page.locator("main .markdown pre").first.evaluate(SCROLL_BOX)
    assert sizes[0] > sizes[1] and sizes[2] == "auto" and sizes[3] <= PHONE["width"], sizes
    # A Markdown table is its own scrolling box too (its long words may also wrap).
    sizes = page.locator("main .markdown table").first.evaluate(SCROLL_BOX)
    assert sizes[2] == "auto" and sizes[3] <= PHONE["width"], sizes
    assert horizontal_overflow(page) <= 0

    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server}/technologies")
    assert not page.get_by_role("button", name="Filters", exact=True).is_visible()
    assert page.locator(".facets").is_visible()
    assert_clean(page)
