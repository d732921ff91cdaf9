"""Patents: structured records on the page, API and CSV; checked input; renewal dates and mail."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlmodel import select

from portal.audit.models import AuditEntry
from portal.patents.models import Patent
from portal.patents.renewals import next_due
from tests import factories

TODAY = date(2026, 6, 1)
GOOD = {
    "jurisdiction": "IN",
    "application_number": "202341012345",
    "filing_date": "2023-02-20",
    "publication_number": "",
    "publication_date": "",
    "grant_number": "",
    "grant_date": "",
    "status": "examination",
    "family": "NIB-18650",
}


def add(client, technology, **changes):
    return client.post_form(f"/admin/technologies/{technology.id}/patents", {**GOOD, **changes})


def test_staff_record_a_patent_and_it_shows_on_the_page_api_and_csv(client, db, login_as):
    technology = factories.make_technology(db, slug="na-cell", title="Sodium cell")
    login_as("staff")
    response = add(client, technology)
    assert response.status_code == 302
    page = client.get("/technologies/na-cell").get_data(as_text=True)
    assert "IN 202341012345" in page and "Under examination" in page
    assert "worldwide.espacenet.com/patent/search?q=IN202341012345" in page
    assert "iprsearch.ipindia.gov.in" in page
    detail = client.get("/api/v1/technologies/na-cell").get_json()
    assert detail["patents"][0]["application_number"] == "202341012345"
    assert detail["patents"][0]["filing_date"] == "2023-02-20"
    rows = list(csv.DictReader(io.StringIO(client.get("/technologies.csv").get_data(as_text=True))))
    row = next(r for r in rows if r["slug"] == "na-cell")
    assert row["patents"] == "IN 202341012345 (under examination)"


def test_contradictory_or_duplicate_patents_are_refused_and_nothing_is_stored(client, db, login_as):
    technology = factories.make_technology(db)
    login_as("staff")
    early = add(client, technology, publication_date="2022-01-01")
    assert early.status_code == 400
    assert "cannot be published before it was filed" in early.get_data(as_text=True)
    ungranted = add(client, technology, status="granted")
    assert "needs its grant number" in ungranted.get_data(as_text=True)
    bad_number = add(client, technology, application_number="<script>")
    assert bad_number.status_code == 400
    assert db.exec(select(Patent)).all() == []
    assert add(client, technology).status_code == 302
    again = add(client, technology)
    assert again.status_code == 400 and "already recorded" in again.get_data(as_text=True)
    assert len(db.exec(select(Patent)).all()) == 1


def test_a_stale_edit_is_a_conflict_not_an_overwrite(client, db, login_as):
    technology = factories.make_technology(db)
    login_as("staff")
    add(client, technology)
    patent = db.exec(select(Patent)).one()
    fresh = {**GOOD, "status": "granted", "grant_number": "412345", "grant_date": "2025-01-10"}
    saved = client.post_form(f"/admin/patents/{patent.id}/edit", {**fresh, "version": "1"})
    assert saved.status_code == 302
    stale = client.post_form(f"/admin/patents/{patent.id}/edit", {**GOOD, "version": "1"})
    assert stale.status_code == 409
    db.refresh(patent)
    assert patent.status == "granted" and patent.grant_number == "412345"


def test_a_deleted_patent_is_gone_and_the_log_keeps_what_it_said(client, db, login_as):
    technology = factories.make_technology(db, slug="na-cell")
    login_as("staff")
    add(client, technology)
    patent_id = db.exec(select(Patent.id)).one()
    response = client.post_form(f"/admin/patents/{patent_id}/delete")
    assert response.status_code == 302
    db.expire_all()
    assert db.exec(select(Patent)).all() == []
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "patent.deleted")).one()
    assert entry.target_type == "patent" and entry.target_id == str(patent_id)
    assert entry.changes["application_number"] == "202341012345"


def test_partners_cannot_reach_the_patent_pages(client, db, login_as):
    technology = factories.make_technology(db)
    login_as("partner")
    assert client.get(f"/admin/technologies/{technology.id}/patents").status_code in (403, 404)
    assert add(client, technology).status_code in (403, 404)


def _patent(**values) -> Patent:
    base = {"jurisdiction": "IN", "application_number": "1", "filing_date": date(2023, 2, 20)}
    return Patent(technology_id=1, **{**base, **values})


def test_renewal_rules_per_office():
    india = next_due(_patent(status="examination"), TODAY)
    assert india.on == date(2027, 2, 20)  # yearly from the third year, on the filing anniversary
    assert next_due(_patent(status="examination"), date(2023, 6, 1)).on == date(2025, 2, 20)
    us = _patent(jurisdiction="US", status="granted", grant_date=date(2023, 1, 10))
    assert next_due(us, TODAY).on == date(2026, 7, 10)  # 3½ years after grant
    assert next_due(_patent(jurisdiction="US", status="filed"), TODAY) is None
    pct = _patent(jurisdiction="WO", filing_date=date(2024, 2, 19), status="published")
    assert next_due(pct, TODAY).on == date(2026, 8, 19)  # national phase at 30 months
    assert next_due(_patent(status="lapsed"), TODAY) is None
    leap = _patent(filing_date=date(2024, 2, 29), status="filed")
    assert next_due(leap, TODAY).on == date(2027, 2, 28)


def test_renewal_reminders_reach_the_team_once(app, db, mailbox):
    technology = factories.make_technology(db, title="Hard carbon")
    db.add(
        Patent(
            technology_id=technology.id,
            jurisdiction="IN",
            application_number="202241054321",
            filing_date=date(2022, 7, 1),
            status="filed",
        )
    )
    db.commit()
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["send-reminders", "--today", "2026-06-05"])
        assert result.exit_code == 0, result.output
    team = app.config["STAFF_NOTIFY_EMAIL"]
    mails = [m for m in mailbox.to(team) if "202241054321" in m["Subject"]]
    assert len(mails) == 1
    assert "renewal fee due 01-07-2026" in mails[0]["Subject"]
    assert "Hard carbon" in mailbox.body(mails[0])


def test_staff_see_upcoming_fees_on_the_renewal_calendar(client, db, login_as):
    technology = factories.make_technology(db, title="Pouch cell")
    from portal.dates import add_months, local_today

    filed = add_months(local_today(), -26)  # national phase due in about four months
    db.add(
        Patent(
            technology_id=technology.id,
            jurisdiction="WO",
            application_number="PCT/IN2025/050001",
            filing_date=filed,
            status="published",
        )
    )
    db.commit()
    login_as("staff")
    page = client.get("/admin/patents/renewals").get_data(as_text=True)
    assert "PCT/IN2025/050001" in page and "national-phase entry" in page
