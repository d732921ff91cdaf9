"""CoE staff in Chromium: create and publish a technology, draft an agreement with milestones and
move it to active, upload a real Maccor file with the progress bar and watch it ingested (2 cycles),
grant the dataset to the partner under the agreement, accept the partner's evidence, and find all
of it in the audit log. axe-core runs on every page visited; no uncaught JS error and no console
error (a CSP violation logs one) may appear."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlmodel import select

from portal.agreements.models import Agreement, Milestone
from portal.audit.models import AuditEntry
from portal.catalog.models import Technology
from portal.datasets.models import DatasetFile, DatasetGrant
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.cycler_data import CYCLER_DIR
from tests.e2e.conftest import assert_accessible, sign_in
from tests.e2e.helpers import assert_canvas_keeps_its_height

MACCOR = CYCLER_DIR / "maccor_002.txt"


def _clean(page) -> None:
    assert page.js_errors == [], page.js_errors
    assert page.console_errors == [], page.console_errors


def _flash(page) -> str:
    return page.locator(".flashes").inner_text()


def _partner_hands_in_evidence(browser, base: str, email: str, milestone_title: str) -> None:
    """The partner, in a browser of their own, submits a note for the milestone."""
    context = browser.new_context(locale="en-IN")
    context.set_default_timeout(10_000)
    partner = context.new_page()
    try:
        sign_in(partner, base, email, TEST_PASSWORD)
        partner.get_by_role("link", name=milestone_title).first.click()
        partner.get_by_label("Note").fill("Cell drawings and the BOM are in the shared folder.")
        partner.get_by_role("button", name="Submit").click()
        partner.wait_for_load_state("networkidle")
        assert "Submitted" in partner.get_by_role("heading", level=1).inner_text()
    finally:
        context.close()


def test_staff_back_office_journey(app, live_server, browser, page, db):
    factories.make_user(db, role="staff", name="Vikram Iyer", email="vikram@coe-battery.example")
    watthour = factories.make_organization(db, slug="watthour", name="Watthour Private Limited")
    factories.make_user(
        db, role="partner", organization=watthour, name="Meera Shah", email="meera@watthour.example"
    )

    sign_in(page, live_server, "vikram@coe-battery.example", TEST_PASSWORD)
    assert page.url.endswith("/admin")
    page.wait_for_function(
        "() => { const c = window.Chart && Chart.getChart(document.getElementById('milestone-chart'));"
        " return c && c.data.datasets.length > 0; }"
    )
    assert_canvas_keeps_its_height(page, "milestone-chart", 200, 400, frames=4)
    assert_accessible(page)

    # 1. A technology: created as a draft, then published.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Manage technologies"
    ).click()
    page.wait_for_url(re.compile(r"/admin/technologies$"))
    assert_accessible(page)
    page.get_by_role("link", name="Add a technology").click()
    page.wait_for_url(re.compile(r"/admin/technologies/new$"))
    assert_accessible(page)
    page.get_by_label("Title", exact=True).fill("Prussian white cathode")
    page.get_by_label("Short name").fill("prussian-white-cathode")
    page.get_by_label("Summary", exact=True).fill(
        "A cobalt-free sodium-ion cathode made from abundant salts."
    )
    page.get_by_label("Chemistry").select_option("na_ion")
    page.get_by_label("Category").select_option("materials")
    page.get_by_label("Technology readiness level (1–9)").fill("6")
    page.get_by_label("Specific energy (Wh/kg)").fill("150")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert "saved as a draft" in _flash(page)
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()
    assert "Published." in _flash(page)
    assert_accessible(page)
    technology = db.exec(
        select(Technology).where(Technology.slug == "prussian-white-cathode")
    ).one()
    assert technology.is_published and technology.trl == 6
    # Anyone can see it now.
    public = page.context.browser.new_context()
    anonymous = public.new_page()
    assert anonymous.goto(f"{live_server}/technologies/prussian-white-cathode").status == 200
    assert anonymous.get_by_role("heading", level=1).inner_text() == "Prussian white cathode"
    public.close()

    # 2. An agreement with milestones, moved from draft to active.
    page.goto(f"{live_server}/admin/agreements")
    assert_accessible(page)
    page.get_by_role("link", name="New agreement").click()
    page.wait_for_url(re.compile(r"/admin/agreements/new$"))
    assert_accessible(page)
    page.get_by_label("Title", exact=True).fill("Prussian white scale-up")
    page.get_by_label("Kind").select_option("mou")
    page.get_by_label("Partner organisation").select_option(label="Watthour Private Limited")
    page.get_by_role("group", name="Technologies").get_by_label("Prussian white cathode").check()
    page.get_by_label("Scope").fill("Scale the cathode synthesis to 10 kg batches.")
    today = date.today()
    page.get_by_label("Signed on").fill(today.strftime("%d-%m-%Y"))  # as a person types it
    page.get_by_label("Effective from").fill(today.strftime("%d-%m-%Y"))
    page.get_by_label("Expires on").fill((today + timedelta(days=365)).strftime("%d-%m-%Y"))
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert "drafted" in _flash(page)
    reference = page.get_by_role("heading", level=1).inner_text().split()[0]
    assert "Draft" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)

    milestones = page.locator("#milestones")
    for title, days, kind in (
        ("Tech pack handed over", 15, "deliverable"),
        ("Pilot batch", 60, "pilot"),
    ):
        form = milestones.locator("form.card")
        form.get_by_label("Title", exact=True).fill(title)
        form.get_by_label("Due on").fill((today + timedelta(days=days)).isoformat())
        form.get_by_label("Kind").select_option(kind)
        form.get_by_label("Owner").select_option("partner")
        form.get_by_role("button", name="Add milestone").click()
        milestones.get_by_role("link", name=title).wait_for()  # swapped in by htmx
    assert milestones.locator("tbody tr").count() == 2
    assert_accessible(page)

    for action, status in (
        ("Start negotiation", "In negotiation"),
        ("Mark signed", "Signed"),
        ("Make active", "Active"),
    ):
        with page.expect_navigation():
            page.get_by_role("button", name=action).click()
        assert status in page.get_by_role("heading", level=1).inner_text(), action
    agreement = db.exec(select(Agreement).where(Agreement.reference == reference)).one()
    assert agreement.status == "active"
    assert_accessible(page)

    # 3. A dataset: created, then a real Maccor export uploaded with the progress bar.
    page.goto(f"{live_server}/admin/datasets")
    assert_accessible(page)
    page.get_by_role("link", name="New dataset").click()
    page.wait_for_url(re.compile(r"/admin/datasets/new$"))
    assert_accessible(page)
    page.get_by_label("Short name").fill("prussian-white-coin-cells")
    page.get_by_label("Title", exact=True).fill("Prussian white coin cells")
    page.get_by_label("Technology").select_option(label="Prussian white cathode")
    page.get_by_label("Chemistry").select_option("na_ion")
    page.get_by_label("Cell format").fill("2032 coin cell")
    page.get_by_label("Who may see it").select_option("restricted")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/admin/datasets/prussian-white-coin-cells$"))
    assert_accessible(page)

    page.evaluate(
        """() => {
            window.__progress = [];
            document.addEventListener('htmx:xhr:progress', () => {
                window.__progress.push(document.getElementById('upload-progress').value);
            });
        }"""
    )
    page.get_by_label("Cycler file").set_input_files(MACCOR)
    page.get_by_role("button", name="Upload and ingest").click()
    result = page.locator("#upload-result")
    # The upload only queues; the progress fragment polls until the job is done.
    result.get_by_text(re.compile(r"maccor_002\.txt stored; its ingest is queued")).wait_for()
    result.get_by_text(re.compile(r"7,446 rows, 2 cycles")).wait_for()
    bar = page.locator("#upload-progress")
    assert bar.is_visible() and bar.get_attribute("value") is not None
    assert page.evaluate("document.getElementById('upload-progress').value") == 100
    assert page.evaluate("window.__progress.length") >= 1
    assert_accessible(page)
    dataset_file = db.exec(select(DatasetFile)).one()
    assert (dataset_file.status, dataset_file.cycle_count) == ("ingested", 2)
    # The result links to the plots, which are drawn.
    result.get_by_role("link", name="See the plots").click()
    page.wait_for_url(re.compile(r"/datasets/prussian-white-coin-cells\?file=\d+#plots-heading$"))
    page.wait_for_function(
        "() => { const c = window.Chart && Chart.getChart(document.getElementById('capacity-chart'));"
        " return c && c.data.datasets[0].data.length === 2; }"
    )
    assert_accessible(page)

    # 4. Grant the dataset to Watthour under the agreement.
    page.get_by_role("link", name="Manage", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/datasets/prussian-white-coin-cells$"))
    page.get_by_label("Organisation").select_option(label="Watthour Private Limited")
    under = page.locator("#agreement_id option", has_text=reference).get_attribute("value")
    page.get_by_label("Under agreement (optional)").select_option(under)
    with page.expect_navigation():
        page.get_by_role("button", name="Grant", exact=True).click()
    grant_row = page.locator("table tr", has_text="Watthour Private Limited")
    assert reference in grant_row.inner_text() and "yes" in grant_row.inner_text()
    assert_accessible(page)
    grant = db.exec(select(DatasetGrant)).one()
    assert (grant.organization_id, grant.agreement_id) == (watthour.id, agreement.id)

    # 5. The partner hands in evidence; staff accept it.
    _partner_hands_in_evidence(
        browser, live_server, "meera@watthour.example", "Tech pack handed over"
    )
    page.goto(f"{live_server}/admin/agreements/{agreement.id}")
    row = page.locator("#milestones tr", has_text="Tech pack handed over")
    assert "Submitted" in row.inner_text()
    row.get_by_role("link", name="Tech pack handed over").click()
    page.wait_for_url(re.compile(r"/milestones/\d+$"))
    assert page.get_by_text("Cell drawings and the BOM are in the shared folder.").is_visible()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Accept").click()
    assert "Accepted" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
    db.expire_all()
    accepted = db.exec(select(Milestone).where(Milestone.title == "Tech pack handed over")).one()
    assert accepted.status == "accepted"

    # 6. The audit log shows each of these steps, by whom.
    page.goto(f"{live_server}/admin/audit")
    assert_accessible(page)
    entries = db.exec(select(AuditEntry)).all()
    actions = {entry.action for entry in entries}
    expected = {
        "technology.created",
        "technology.published",
        "agreement.created",
        "agreement.status_changed",
        "milestone.created",
        "milestone.evidence_submitted",
        "milestone.status_changed",
        "dataset.created",
    }
    assert expected <= actions, expected - actions
    assert any(a.startswith("dataset.file") for a in actions), actions
    assert any(a.startswith("dataset.grant") for a in actions), actions
    table = page.locator("table.audit")
    # The filter form once, then the same filter by address for each remaining action.
    page.get_by_label("Action").select_option("milestone.status_changed")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    assert "action=milestone.status_changed" in page.url
    text = table.inner_text()
    assert "Vikram Iyer" in text or "vikram@coe-battery.example" in text
    assert "Meera Shah" in text or "meera@watthour.example" in text  # submitted by the partner
    for action in sorted(expected):
        page.goto(f"{live_server}/admin/audit?action={action}")
        first = table.locator("tbody tr").first
        assert first.get_by_text(action, exact=True).is_visible(), action
    assert_accessible(page)
    _clean(page)
