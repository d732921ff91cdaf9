"""The catalog in Chromium: stored XSS never runs, axe finds nothing serious, live filtering and
the Back button work, and an expression of interest goes through."""

from __future__ import annotations

import re

from sqlmodel import select

from portal.catalog.models import Inquiry
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import make_technology, make_user

PAYLOAD = (
    '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    '<svg onload="window.__xss=3"></svg>"\'><a href="javascript:window.__xss=4">x</a>'
)
MARKDOWN_PAYLOAD = (
    '[click me](javascript:window.__xss=5) ![img](x" onerror="window.__xss=6)\n\n' + PAYLOAD
)


def _catalog(db):
    make_technology(
        db,
        slug="na-18650",
        title="Sodium-ion 18650 cell",
        summary="A cylindrical sodium-ion cell.",
        chemistry="na_ion",
        trl=6,
        applications=("ev", "stationary"),
        problem="Lithium is imported.",
        advantage="No **cobalt**.",
        specific_energy_wh_per_kg=140.0,
        cycle_life=3000,
        cost_inr_per_kwh=9500,
        ip_status="Patent filed",
        contact_name="Technology Transfer Cell",
        contact_email="techtransfer@coe-battery.example",
    )
    make_technology(
        db,
        slug="na-carbon",
        title="Hard carbon anode",
        chemistry="na_ion",
        category="materials",
        trl=4,
    )
    make_technology(db, slug="lfp-cell", title="LFP 32700 cell", chemistry="li_ion", trl=7)


def test_stored_xss_never_executes(live_server, page, db):
    fields = (
        "summary",
        "problem",
        "advantage",
        "applications_text",
        "ip_status",
        "patent_refs",
        "contact_name",
    )
    make_technology(
        db,
        slug="hostile",
        title=PAYLOAD,
        description=MARKDOWN_PAYLOAD,
        **{name: PAYLOAD if name != "problem" else MARKDOWN_PAYLOAD for name in fields},
    )
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in ("/technologies", "/technologies/hostile", "/technologies?q=img"):
        page.goto(f"{live_server}{path}")
        page.wait_for_load_state("networkidle")
        for link in page.locator("a[href^='javascript:']").all():
            raise AssertionError(f"javascript: link survived: {link.get_attribute('href')}")
        assert page.evaluate("window.__xss === undefined"), path
    # The payload is visible as text, not as markup.
    assert "<script>window.__xss=2</script>" in page.locator("h3").first.inner_text()
    assert dialogs == [] and page.js_errors == []


def test_catalog_and_technology_page_are_accessible(live_server, page, db):
    _catalog(db)
    page.goto(f"{live_server}/technologies")
    assert_accessible(page)
    page.goto(f"{live_server}/technologies?chemistry=na_ion&trl_min=9")
    assert page.get_by_text("No technology matches these filters.").is_visible()
    assert_accessible(page)
    page.goto(f"{live_server}/technologies/na-18650")
    assert_accessible(page)
    assert page.js_errors == []


def test_two_clicks_find_sodium_ion_at_trl_6_and_back_works(live_server, page, db, mailbox):
    _catalog(db)
    page.goto(f"{live_server}/technologies")
    results = page.locator("#catalog-results h3")
    assert results.count() == 3
    page.get_by_label(re.compile(r"^Sodium-ion")).check()
    page.wait_for_url(re.compile(r"chemistry=na_ion"))
    page.get_by_label("From").select_option("6")
    page.wait_for_url(re.compile(r"trl_min=6"))
    page.wait_for_load_state("networkidle")
    assert results.all_inner_texts() == ["Sodium-ion 18650 cell"]
    shared = page.url
    assert shared.endswith("/technologies?chemistry=na_ion&trl_min=6")

    # htmx keeps no history cache, so Back reloads the previous URL from the server.
    with page.expect_event("load"):
        page.go_back()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/technologies?chemistry=na_ion")
    assert sorted(results.all_inner_texts()) == ["Hard carbon anode", "Sodium-ion 18650 cell"]

    # The shared URL opens the same list in a fresh browser, then the visitor writes to the CoE.
    page.goto(shared)
    page.get_by_role("link", name="Sodium-ion 18650 cell").click()
    page.get_by_label("Your name").fill("Arjun Mehta")
    page.get_by_label("E-mail").fill("arjun@voltcraft.example")
    page.get_by_label("Organisation").fill("Voltcraft Mobility")
    page.get_by_label("Message").fill("We want to evaluate the cells for a scooter.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state("networkidle")
    assert "we received your message" in page.content()
    assert db.exec(select(Inquiry).where(Inquiry.email == "arjun@voltcraft.example")).one()
    # The mail reached the SMTP server, and the staff see the lead in their list of new ones.
    assert mailbox.to("arjun@voltcraft.example")
    staff = make_user(db, role="staff", name="Vikram Iyer")
    sign_in(page, live_server, staff.email, TEST_PASSWORD)
    page.goto(f"{live_server}/admin/inquiries?status=new")
    row = page.locator("tr", has_text="Arjun Mehta")
    assert row.is_visible() and "Sodium-ion 18650 cell" in row.inner_text()
    assert_accessible(page)
    # Inline status change with htmx: the row is swapped in place, the page does not reload.
    with page.expect_response(re.compile(r"/admin/inquiries/\d+/status$")):
        row.get_by_label(re.compile(r"^Status of the inquiry")).select_option("contacted")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/admin/inquiries?status=new")
    db.expire_all()
    assert (
        db.exec(select(Inquiry.status).where(Inquiry.email == "arjun@voltcraft.example")).one()
        == "contacted"
    )
    assert page.js_errors == []


def test_search_updates_as_you_type(live_server, page, db):
    _catalog(db)
    page.goto(f"{live_server}/technologies")
    page.get_by_label("Search technologies").fill("carbon")
    page.wait_for_url(re.compile(r"q=carbon"))
    page.wait_for_load_state("networkidle")
    assert page.locator("#catalog-results h3").all_inner_texts() == ["Hard carbon anode"]
    # Focus stays in the search box while the results change.
    assert page.evaluate("document.activeElement.id") == "catalog-q"
