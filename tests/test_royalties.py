"""Royalties: the periods a licence owes, the royalty and minimum top-up, filing, payments, KPIs."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from portal.errors import ServiceError
from portal.royalties import schedule, services
from portal.royalties.models import RoyaltyReport
from tests import factories


def licence(db, organization=None, **overrides):
    values = {
        "kind": "license",
        "reference": factories.unique("COE-LIC-2025-"),
        "royalty_pct": Decimal("3.00"),
        "minimum_annual_royalty_inr": Decimal("100000"),
        "royalty_period": "quarterly",
        "effective_on": date(2025, 1, 1),
        "expires_on": date(2030, 12, 31),
        **overrides,
    }
    return factories.make_agreement(db, organization, **values)


def test_quarterly_periods_end_due_and_stop_at_expiry(db):
    agreement = licence(db, expires_on=date(2025, 8, 15))
    periods = schedule.closed_periods(agreement, date(2026, 1, 1))
    assert [(p.start, p.end) for p in periods] == [
        (date(2025, 1, 1), date(2025, 3, 31)),
        (date(2025, 4, 1), date(2025, 6, 30)),
        (date(2025, 7, 1), date(2025, 8, 15)),
    ]
    assert periods[0].due_on == date(2025, 4, 30)
    assert schedule.closed_periods(agreement, date(2025, 3, 31)) == []  # not ended yet
    mou = factories.make_agreement(db)
    assert schedule.closed_periods(mou, date(2026, 1, 1)) == []


def test_royalty_and_the_minimum_top_up_on_the_report_closing_the_year(app, db):
    with app.app_context():  # the service mails staff: it needs the app's settings
        agreement = licence(db)
        today = date(2026, 2, 1)
        for quarter in (date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1)):
            report = services.file_report(
                db, agreement, quarter, units_sold=100, net_sales_inr=Decimal("500000"), today=today
            )
            assert report.royalty_inr == Decimal("15000.00") and report.minimum_topup_inr == 0
        closing = services.file_report(
            db, agreement, date(2025, 10, 1), units_sold=90, net_sales_inr=Decimal("500000.50"),
            today=today,
        )  # fmt: skip
        assert closing.royalty_inr == Decimal("15000.02")  # 3 % of ₹5,00,000.50, to the paisa
        assert closing.minimum_topup_inr == Decimal(
            "39999.98"
        )  # ₹1,00,000 less the year's ₹60,000.02
        assert closing.amount_due_inr == Decimal("55000.00")


def test_a_licensee_files_a_report_and_staff_hear_of_it(app, client, db, login_as, mailbox):
    organization = factories.make_organization(db)
    agreement = licence(db, organization)
    login_as("partner", organization)
    page = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert "File a royalty report" in page and "overdue" in page
    response = client.post_form(
        f"/agreements/{agreement.id}/royalty-reports",
        {
            "period_start": "2025-01-01",
            "units_sold": "1200",
            "net_sales_inr": "2500000",
            "note": "",
        },
    )
    assert response.status_code == 302
    report = db.exec(select(RoyaltyReport)).one()
    assert report.royalty_inr == Decimal("75000.00") and report.submitted_by_id is not None
    mail = mailbox.to(app.config["STAFF_NOTIFY_EMAIL"])[-1]
    assert agreement.reference in mail["Subject"]
    assert "₹75,000" in mailbox.body(mail)


def test_bad_reports_are_refused_and_nothing_is_stored(client, db, login_as):
    organization = factories.make_organization(db)
    agreement = licence(db, organization)
    other = licence(db)
    login_as("partner", organization)
    url = f"/agreements/{agreement.id}/royalty-reports"
    good = {"period_start": "2025-01-01", "units_sold": "1", "net_sales_inr": "1000", "note": ""}
    negative = client.post_form(url, {**good, "net_sales_inr": "-5"})
    assert "Report not filed" in client.get(negative.headers["Location"]).get_data(as_text=True)
    not_ended = client.post_form(url, {**good, "period_start": "2099-01-01"})
    assert not_ended.status_code == 302
    assert "Choose a reporting period that has ended" in client.get(
        not_ended.headers["Location"]
    ).get_data(as_text=True)
    odd = client.post_form(url, {**good, "period_start": "2025-13-45"})
    assert "Choose a reporting period" in client.get(odd.headers["Location"]).get_data(as_text=True)
    assert client.post_form(f"/agreements/{other.id}/royalty-reports", good).status_code == 404
    assert db.exec(select(RoyaltyReport)).all() == []
    client.post_form(url, good)
    again = client.post_form(url, good)  # the same period again, from another tab
    assert again.status_code == 302
    assert "already filed" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert len(db.exec(select(RoyaltyReport)).all()) == 1


def test_a_period_is_filed_once(app, db):
    agreement = licence(db)
    with app.test_request_context():
        services.file_report(
            db, agreement, date(2025, 1, 1), units_sold=1, net_sales_inr=Decimal("1000")
        )
        with pytest.raises(ServiceError, match="already filed"):
            services.file_report(
                db, agreement, date(2025, 1, 1), units_sold=2, net_sales_inr=Decimal("2000")
            )
        services.file_report(
            db, agreement, date(2025, 4, 1), units_sold=3, net_sales_inr=Decimal("3000")
        )
    assert sorted(r.units_sold for r in db.exec(select(RoyaltyReport))) == [1, 3]


def test_staff_reconcile_payments_export_csv_and_see_overdue_reports(app, client, db, login_as):
    agreement = licence(db, minimum_annual_royalty_inr=None)
    with app.app_context():
        report = services.file_report(
            db, agreement, date(2025, 1, 1), units_sold=10, net_sales_inr=Decimal("100000")
        )
    db.commit()
    login_as("staff")
    paid = client.post_form(
        f"/admin/royalty-reports/{report.id}/payments",
        {"amount_inr": "3000", "received_on": "2025-05-10", "reference": "UTR123"},
    )
    assert paid.status_code == 302
    future = client.post_form(
        f"/admin/royalty-reports/{report.id}/payments",
        {"amount_inr": "1", "received_on": "2099-01-01", "reference": ""},
    )
    assert "cannot be received in the future" in client.get(future.headers["Location"]).get_data(
        as_text=True
    )
    rows = list(
        csv.DictReader(io.StringIO(client.get("/admin/royalties.csv").get_data(as_text=True)))
    )
    first = next(r for r in rows if r["period_start"] == "2025-01-01")
    assert first["state"] == "paid" and Decimal(first["balance_inr"]) == 0
    overdue = [r for r in rows if r["state"] == "overdue"]
    assert overdue, "later quarters without a report are overdue"
    dashboard = client.get("/admin").get_data(as_text=True)
    assert "royalty reports overdue" in dashboard
    listing = client.get("/admin/royalties?state=overdue").get_data(as_text=True)
    assert agreement.reference in listing


def test_counting_overdue_reports_costs_the_same_queries_for_any_number_of_licences(app, db):
    from portal import db as portal_db
    from portal.royalties.queries import overdue_count
    from tests.helpers import counting_statements

    def queries_for_count() -> int:
        with app.app_context(), counting_statements(app) as statements:
            overdue_count(portal_db.session(), date(2026, 2, 1))
        return len(statements)

    with app.app_context():
        first = licence(db)
        services.file_report(
            db, first, date(2025, 1, 1), units_sold=1, net_sales_inr=Decimal("10"),
            today=date(2026, 2, 1),
        )  # fmt: skip
        db.commit()
    one_licence = queries_for_count()
    with app.app_context():
        for _ in range(3):
            services.file_report(
                db, licence(db), date(2025, 1, 1), units_sold=1, net_sales_inr=Decimal("10"),
                today=date(2026, 2, 1),
            )  # fmt: skip
        db.commit()
    assert queries_for_count() == one_licence
