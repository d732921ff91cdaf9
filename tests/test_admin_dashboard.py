"""The staff dashboard: figures that link to their lists, a CSP-safe chart, bounded SQL per page."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from portal.catalog.models import Inquiry
from portal.dates import local_today
from tests import factories
from tests.helpers import counting_statements


def populate(db, n: int) -> None:
    """n agreements of mixed kinds and states, each with a few milestones."""
    today = local_today()
    for i in range(n):
        organization = factories.make_organization(db)
        agreement = factories.make_agreement(
            db,
            organization=organization,
            kind=("mou", "license")[i % 2],
            status=("active", "signed", "draft")[i % 3],
        )
        factories.make_milestone(db, agreement, due_on=today - timedelta(days=2))
        factories.make_milestone(
            db, agreement, kind="payment", amount_inr=100000, due_on=today + timedelta(days=10)
        )
        factories.make_milestone(
            db, agreement, kind="payment", amount_inr=50000, status="accepted", due_on=today
        )
        factories.make_user(db, role="partner", organization=organization)


def test_figures_and_their_links(app, client, db, login_as):
    today = local_today()
    mou = factories.make_agreement(db, kind="mou")
    factories.make_agreement(db, kind="mou", expires_on=today - timedelta(days=1))  # lapsed
    licence = factories.make_agreement(db, kind="license")
    factories.make_agreement(db, kind="nda", status="draft")
    factories.make_milestone(db, mou, due_on=today - timedelta(days=3))  # overdue
    factories.make_milestone(db, mou, due_on=today + timedelta(days=5))  # due soon
    factories.make_milestone(
        db, licence, kind="payment", amount_inr=1234567, due_on=today + timedelta(days=40)
    )
    factories.make_milestone(
        db, licence, kind="payment", amount_inr=250000, status="accepted", due_on=today
    )
    for status in ("new", "new", "contacted"):
        db.add(Inquiry(name="A", email="a@example.org", interest="licensing", status=status))
    db.commit()
    login_as("staff")
    page = client.get("/admin").get_data(as_text=True)

    def kpi(label: str) -> tuple[str, str]:
        match = re.search(
            r'<a class="kpi[^"]*" href="([^"]+)"><span class="kpi-value">([^<]+)</span><span class="kpi-label">'
            + re.escape(label),
            page,
        )
        assert match, label
        return match.group(1).replace("&amp;", "&"), match.group(2)

    assert kpi("active MoUs") == ("/admin/agreements?status=active&kind=mou", "1")
    assert kpi("active licences")[1] == "1"
    assert kpi("overdue milestones")[1] == "1"
    assert kpi("milestones due in 30 days")[1] == "1"
    assert kpi("payments due")[1] == "₹12,34,567"
    assert kpi("payments received")[1] == "₹2,50,000"
    assert kpi("new inquiries") == ("/admin/inquiries?status=new", "2")
    assert 'href="/admin/agreements?status=expired">1</a>' in page
    assert 'href="/admin/agreements?status=draft">1</a>' in page

    # Every figure's link shows the same number of rows.
    listing = client.get(kpi("active MoUs")[0]).get_data(as_text=True)
    assert "1 agreement" in listing and mou.reference in listing
    overdue = client.get(kpi("overdue milestones")[0]).get_data(as_text=True)
    assert "1 milestone" in overdue and 'class="overdue"' in overdue
    assert "1 milestone" in client.get(kpi("milestones due in 30 days")[0]).get_data(as_text=True)
    assert "1 milestone" in client.get(kpi("payments due")[0]).get_data(as_text=True)


def test_chart_data_is_an_inert_json_island_read_by_our_script(app, client, db, login_as):
    today = local_today()
    agreement = factories.make_agreement(db)
    factories.make_milestone(db, agreement, due_on=today, status="submitted")
    factories.make_milestone(db, agreement, due_on=today, status="planned")
    login_as("staff")
    response = client.get("/admin")
    page = response.get_data(as_text=True)
    island = re.search(
        r'<script type="application/json" id="milestone-chart-data">(.*?)</script>', page, re.S
    )
    data = json.loads(island.group(1))
    month = today.strftime("%m-%Y")
    index = data["labels"].index(month)
    counts = {s["status"]: s["counts"][index] for s in data["series"]}
    assert counts["submitted"] == 1 and counts["planned"] == 1 and counts["accepted"] == 0
    assert "vendor/chartjs/chart-4.5.1.umd.min.js" in page and "js/admin-dashboard.js" in page
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    # No executable inline script anywhere on the page.
    for attrs in re.findall(r"<script([^>]*)>", page):
        assert "src=" in attrs or 'type="application/json"' in attrs
    assert client.get("/static/js/admin-dashboard.js").status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/admin", "/admin/agreements", "/admin/milestones?overdue=1", "/partners"],
)
def test_staff_pages_run_a_bounded_number_of_statements(app, client, db, login_as, url):
    login_as("staff")
    populate(db, 3)
    with counting_statements(app) as few:
        assert client.get(url).status_code == 200
    populate(db, 30)
    with counting_statements(app) as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many), (len(few), len(many))


def test_partner_dashboard_runs_a_bounded_number_of_statements(app, client, db, login_as):
    organization = factories.make_organization(db)
    user = login_as("partner", organization)

    def add(n):
        for _ in range(n):
            agreement = factories.make_agreement(db, organization=organization)
            factories.make_milestone(db, agreement)

    add(3)
    with counting_statements(app) as few:
        client.get("/me")
        client.get("/api/v1/me/agreements")
    add(30)
    with counting_statements(app) as many:
        client.get("/me")
        client.get("/api/v1/me/agreements")
    assert len(few) == len(many)
    assert user.organization_id == organization.id


def test_recent_activity_reads_in_words_not_codes(app, client, db, login_as):
    from portal.audit.services import record

    dataset = factories.make_dataset(db, title="Cycle-life set")
    record(db, "dataset.granted", dataset, label="Cycle-life set")
    record(db, "dataset.some_new_thing", dataset, label="Cycle-life set")
    db.commit()
    login_as("staff")
    page = client.get("/admin").get_data(as_text=True)
    activity = page[page.index('<ul class="activity">') :]
    assert "Dataset: access granted" in activity and "Dataset: some new thing" in activity
    assert "dataset.granted" not in activity and "dataset.some_new_thing" not in activity
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert ">Dataset: access granted</option>" in audit
