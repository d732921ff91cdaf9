"""Staff forms in Chromium: the short name follows the title until typed by hand (never on an edit
page), and an agreement's technologies are ticked in a list of checkboxes, not a Ctrl-click menu."""

from __future__ import annotations

from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in
from tests.e2e.helpers import assert_clean


def test_slug_is_filled_from_the_title_until_typed(live_server, page, db):
    staff = factories.make_user(db, role="staff")
    sign_in(page, live_server, staff.email, TEST_PASSWORD)
    page.goto(f"{live_server}/admin/technologies/new")
    page.get_by_label("Title", exact=True).fill("Sodium-ion Pouch Cell (Gen 2) – Café edition")
    assert (
        page.get_by_label("Short name").input_value() == "sodium-ion-pouch-cell-gen-2-cafe-edition"
    )
    page.get_by_label("Short name").fill("na-pouch")
    page.get_by_label("Title", exact=True).fill("Another title")
    assert page.get_by_label("Short name").input_value() == "na-pouch"

    page.goto(f"{live_server}/admin/datasets/new")
    page.get_by_label("Title", exact=True).fill("18650 Cycle-Life Test")
    assert page.get_by_label("Short name").input_value() == "18650-cycle-life-test"

    technology = factories.make_technology(db, slug="kept-slug", title="Kept")
    page.goto(f"{live_server}/admin/technologies/{technology.id}/edit")
    page.get_by_label("Title", exact=True).fill("A new title")
    assert page.get_by_label("Short name").input_value() == "kept-slug"
    assert_clean(page)


def test_agreement_technologies_are_checkboxes(live_server, page, db):
    factories.make_technology(db, slug="na-cell", title="Sodium cell")
    factories.make_technology(db, slug="lfp-cell", title="LFP cell")
    staff = factories.make_user(db, role="staff")
    sign_in(page, live_server, staff.email, TEST_PASSWORD)
    page.goto(f"{live_server}/admin/agreements/new")
    assert page.locator("select[multiple]").count() == 0
    group = page.get_by_role("group", name="Technologies")
    group.get_by_label("Sodium cell").check()
    group.get_by_label("LFP cell").check()
    assert group.locator("input:checked").count() == 2
    assert_accessible(page)
    assert_clean(page)
