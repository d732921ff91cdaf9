"""The issue's "done when" journey, end to end through the real routes, mail server and CLI."""

from __future__ import annotations

import re
from datetime import timedelta

from icalendar import Calendar
from sqlmodel import select

from portal.accounts.models import Organization
from portal.agreements.models import Agreement, Milestone, MilestoneEvent, MilestoneEvidence
from portal.catalog.models import Technology
from portal.dates import local_today
from tests import factories
from tests.conftest import TEST_PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def sign_in(app, user):
    browser = app.test_client()
    response = browser.post_form("/login", {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return browser


def make_technology(db, **overrides) -> Technology:
    technology = Technology(
        **{
            "slug": factories.unique("na-ion-cell-"),
            "title": "Sodium-ion 18650 cell",
            "chemistry": "na_ion",
            "category": "cell",
            "trl": 6,
            "is_published": True,
            **overrides,
        }
    )
    db.add(technology)
    db.commit()
    return technology


def test_staff_to_partner_journey(app, client, db, login_as, mailbox):
    today = local_today()
    org_a = factories.make_organization(db, name="Watthour Test Pvt Ltd")
    org_b = factories.make_organization(db, name="Other Startup")
    partner_a = factories.make_user(db, role="partner", organization=org_a)
    partner_b = factories.make_user(db, role="partner", organization=org_b)
    technology = make_technology(db)
    staff = login_as("staff")

    # Staff draft an MoU ...
    response = client.post_form(
        "/admin/agreements/new",
        {
            "kind": "mou",
            "title": "Sodium-ion co-development",
            "organization_id": org_a.id,
            "responsible_staff_id": staff.id,
            "technology_ids": [technology.id],
            "scope": "Co-develop **sodium-ion** cells.",
            "expires_on": (today + timedelta(days=700)).isoformat(),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    agreement = db.exec(select(Agreement).where(Agreement.organization_id == org_a.id)).one()
    assert agreement.status == "draft"
    assert re.fullmatch(r"COE-MOU-\d{4}-001", agreement.reference)

    # ... move it to active through the legal chain ...
    for target in ("negotiation", "signed", "active"):
        db.refresh(agreement)
        response = client.post_form(
            f"/admin/agreements/{agreement.id}/status",
            {"to_status": target, "version": agreement.version},
        )
        assert response.status_code == 303
        db.refresh(agreement)
        assert agreement.status == target
    assert agreement.signed_on == today and agreement.effective_on == today

    # ... and add three milestones (the first inline with htmx).
    plans = [
        ("Pilot batch of 100 cells", "pilot", today + timedelta(days=7), ""),
        ("First licence payment", "payment", today + timedelta(days=30), "500000"),
        ("Quarterly progress report", "report", today - timedelta(days=3), ""),
    ]
    for index, (title, kind, due_on, amount) in enumerate(plans):
        headers = {"HX-Request": "true"} if index == 0 else {}
        response = client.post_form(
            f"/admin/agreements/{agreement.id}/milestones",
            {
                "title": title,
                "kind": kind,
                "owner": "partner",
                "due_on": due_on.isoformat(),
                "amount_inr": amount,
            },
            headers=headers,
        )
        if index == 0:
            assert response.status_code == 200
            html = response.get_data(as_text=True)
            assert 'id="milestones"' in html and "<html" not in html and title in html
        else:
            assert response.status_code == 303
    milestones = {
        m.title: m
        for m in db.exec(select(Milestone).where(Milestone.agreement_id == agreement.id)).all()
    }
    assert len(milestones) == 3
    pilot = milestones["Pilot batch of 100 cells"]

    # The partner signs in and sees them on /me, overdue highlighted, the pilot due within 30 days.
    browser_a = sign_in(app, partner_a)
    page = browser_a.get("/me").get_data(as_text=True)
    for title in milestones:
        assert title in page
    assert agreement.reference in page
    overdue_rows = re.findall(r'<tr class="overdue">(.*?)</tr>', page, re.S)
    assert len(overdue_rows) == 1 and "Quarterly progress report" in overdue_rows[0]
    due_soon = page.split('id="due-soon"')[1].split("</ul>")[0]
    assert "Pilot batch of 100 cells" in due_soon and "Quarterly" not in due_soon
    assert "₹5,00,000" in page

    # The partner hands in evidence for the pilot batch.
    response = browser_a.post(
        f"/milestones/{pilot.id}/evidence",
        data={
            "csrf_token": browser_a.csrf_token(),
            "note": "Cells shipped to the CoE lab.",
            "file": (__import__("io").BytesIO(PDF), "../../etc/passwd.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    db.refresh(pilot)
    assert pilot.status == "submitted"
    evidence = db.exec(
        select(MilestoneEvidence).where(MilestoneEvidence.milestone_id == pilot.id)
    ).one()
    assert evidence.stored_name and "/" not in evidence.stored_name
    assert (app.config["DATA_DIR"] / "evidence" / evidence.stored_name).read_bytes() == PDF

    # Staff accept it; the history shows every step.
    response = client.post_form(
        f"/admin/milestones/{pilot.id}/status", {"to_status": "accepted", "version": pilot.version}
    )
    assert response.status_code == 303
    db.refresh(pilot)
    assert pilot.status == "accepted"
    steps = [
        (e.from_status, e.to_status)
        for e in db.exec(
            select(MilestoneEvent)
            .where(MilestoneEvent.milestone_id == pilot.id)
            .order_by(MilestoneEvent.id)
        ).all()
    ]
    assert steps == [("", "planned"), ("planned", "submitted"), ("submitted", "accepted")]
    history = browser_a.get(f"/milestones/{pilot.id}").get_data(as_text=True)
    assert "Accepted" in history and "Cells shipped to the CoE lab." in history

    # Notifications: staff heard of the evidence, the partner of the acceptance (issue 13 part 2).
    assert len(mailbox.to(staff.email)) == 1 and len(mailbox.to(partner_a.email)) == 1
    assert not mailbox.to(partner_b.email)
    mailbox.messages.clear()

    # Reminders: the overdue report only (the pilot is accepted, the payment is 30 days out).
    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-reminders", "--today", today.isoformat()])
    assert result.exit_code == 0, result.output
    assert sorted(m["X-Envelope-To"] for m in mailbox.messages) == sorted(
        [partner_a.email, staff.email]
    )
    assert all("Quarterly progress report" in m["Subject"] for m in mailbox.messages)
    assert not mailbox.to(partner_b.email)
    mailbox.messages.clear()
    result = runner.invoke(args=["send-reminders", "--today", today.isoformat()])
    assert result.exit_code == 0 and mailbox.messages == []
    # Sixteen days on, the payment is 14 days away: one more reminder each, once.
    later = (today + timedelta(days=16)).isoformat()
    runner.invoke(args=["send-reminders", "--today", later])
    assert [m["Subject"] for m in mailbox.to(partner_a.email)] == [
        f"Due in 14 day(s): First licence payment ({agreement.reference})"
    ]
    mailbox.messages.clear()
    runner.invoke(args=["send-reminders", "--today", later])
    assert mailbox.messages == []

    # The partner's calendar feed parses, with the right dates.
    page = browser_a.post_form("/me/calendar", follow_redirects=True).get_data(as_text=True)
    feed_url = re.search(r'value="(http[^"]+\.ics)"', page).group(1)
    feed = app.test_client().get(feed_url.replace("http://127.0.0.1:5000", ""))
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    calendar = Calendar.from_ical(feed.data)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == 3
    for title, milestone in milestones.items():
        event = next(e for s, e in events.items() if title in s)
        assert event.decoded("DTSTART") == milestone.due_on
        assert event["UID"] and event["DTSTAMP"]
    assert b"DTSTART;VALUE=DATE:" in feed.data

    # Partner B sees none of it.
    browser_b = sign_in(app, partner_b)
    page_b = browser_b.get("/me").get_data(as_text=True)
    for secret in (agreement.reference, *milestones, "Cells shipped"):
        assert secret not in page_b
    for url in (
        f"/agreements/{agreement.id}",
        f"/milestones/{pilot.id}",
        f"/evidence/{evidence.id}/file",
    ):
        assert browser_b.get(url).status_code == 404, url
    assert browser_b.post_form(f"/milestones/{pilot.id}/evidence", {"note": "x"}).status_code == 404
    assert browser_b.get("/api/v1/me/milestones").get_json()["total"] == 0
    assert browser_b.get("/api/v1/me/agreements").get_json()["items"] == []
    assert db.get(Organization, org_b.id).name == "Other Startup"
