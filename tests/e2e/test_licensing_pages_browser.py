"""The other pages of issue 13 in Chromium at 1280 and 360 px (axe, no JS or console error, no
horizontal overflow): the terminate confirmation names its consequences (and dismissing it
changes nothing), the agreement history and date warnings, claims checked against data, a
dataset card with "Request access", the staff access requests, and the notifications page."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import select

from portal.agreements.models import Agreement
from portal.datasets.models import AccessRequest
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.cycler_data import write_arbin
from tests.e2e.conftest import sign_in
from tests.e2e.helpers import check_at_widths as _check


def test_staff_pages(app, live_server, page, db, tmp_path):
    factories.make_user(db, role="staff", email="vikram@coe-battery.example")
    organization = factories.make_organization(db, name="Watthour Private Limited")
    original = factories.make_agreement(
        db, organization, signed_on=date(2025, 3, 1), expires_on=date(2030, 12, 31)
    )
    factories.make_milestone(db, original, title="Kick-off report", due_on=date(2025, 2, 1))
    technology = factories.make_technology(db, cycle_life=3000, title="Prismatic sodium-ion cell")
    dataset = factories.make_dataset(db, visibility="public", title="Prismatic cells, 6 cycles")
    factories.ingest_into(
        app, dataset, write_arbin(tmp_path / "f.csv", [1.0, 0.96, 0.92, 0.86, 0.79, 0.75], points=5)
    )

    sign_in(page, live_server, "vikram@coe-battery.example", TEST_PASSWORD)
    page.goto(f"{live_server}/admin/agreements/{original.id}")
    assert "Dates to check" in page.content()
    messages: list[str] = []

    def dismiss(dialog) -> None:
        messages.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_role("button", name="Terminate").click()
    page.wait_for_timeout(300)
    assert messages and "1 open milestone(s) stop being reminded" in messages[0]
    db.expire_all()
    assert db.get(Agreement, original.id).status == "active"
    page.get_by_role("button", name="Draft a renewal").click()
    page.wait_for_url(re.compile(r"/edit$"))
    page.goto(f"{live_server}/admin/agreements/{original.id}")
    assert "History" in page.content() and f"{original.reference}-R1" in page.content()
    _check(page)

    page.goto(f"{live_server}/admin/technologies/{technology.id}/claims")
    page.get_by_label("Figure").select_option("cycles_to_80")
    page.get_by_label("Dataset").select_option(str(dataset.id))
    page.get_by_role("button", name="Link").click()
    page.wait_for_load_state("networkidle")
    assert "not supported by the test data" in page.content()
    _check(page)
    page.goto(f"{live_server}/admin")
    assert "Claims the test data contradicts" in page.content()
    _check(page)
    page.goto(f"{live_server}/technologies/{technology.slug}")
    assert "The data reaches 80 % capacity at cycle 5." in page.content()
    _check(page)


def test_partner_card_request_and_notifications(app, live_server, browser, page, db, tmp_path):
    factories.make_user(db, role="staff", email="vikram@coe-battery.example")
    organization = factories.make_organization(db)
    factories.make_agreement(db, organization)
    factories.make_user(
        db, role="partner", organization=organization, email="meera@watthour.example"
    )
    dataset = factories.make_dataset(
        db, title="Pouch cells at 45 °C", licence_terms="Research use only.", public_card=True
    )
    factories.ingest_into(app, dataset, write_arbin(tmp_path / "p.csv", [1.0, 0.99], points=5))

    sign_in(page, live_server, "meera@watthour.example", TEST_PASSWORD)
    page.goto(f"{live_server}/datasets/{dataset.slug}")
    _check(page)
    page.get_by_label("Purpose").fill("Benchmarking our BMS against your pouch cells.")
    page.get_by_label("I accept the terms above on behalf of my organisation.").check()
    page.get_by_role("button", name="Request access").click()
    page.wait_for_load_state("networkidle")
    assert "is waiting for a decision" in page.content()
    db.expire_all()
    access = db.exec(select(AccessRequest)).one()

    staff_context = browser.new_context(locale="en-IN")
    staff = staff_context.new_page()
    try:
        sign_in(staff, live_server, "vikram@coe-battery.example", TEST_PASSWORD)
        assert staff.locator("[data-unread]").get_attribute("data-unread") == "1"
        staff.goto(f"{live_server}/admin/access-requests")
        staff.get_by_label("Reason for declining").fill("Under embargo until June.")
        staff.get_by_role("button", name="Decline").click()
        staff.wait_for_load_state("networkidle")
        assert "the requester has been told why" in staff.content()
    finally:
        staff_context.close()
    db.expire_all()
    assert db.get(AccessRequest, access.id).status == "declined"

    page.goto(f"{live_server}/notifications")
    assert "was declined" in page.content() and "Under embargo until June." in page.content()
    _check(page)
    page.get_by_role("radio", name="One mail a day (daily digest)").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("radio", name="One mail a day (daily digest)").is_checked()
    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-unread]").get_attribute("data-unread") == "0"
    _check(page)
