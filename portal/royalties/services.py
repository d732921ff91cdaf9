"""Filing a royalty report and recording a payment (flushes, never commits; audited)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session, select

from portal.agreements.models import Agreement
from portal.changes import add_audited
from portal.dates import local_today
from portal.db import taken
from portal.errors import ServiceError
from portal.formatting import format_date, format_inr
from portal.mail import send_mail
from portal.royalties import schedule
from portal.royalties.models import RoyaltyPayment, RoyaltyReport


def _royalties_in_year(db: Session, agreement: Agreement, period: schedule.Period) -> Decimal:
    year = schedule.licence_year_of(agreement, period)
    filed = db.exec(
        select(RoyaltyReport.royalty_inr).where(
            RoyaltyReport.agreement_id == agreement.id,
            RoyaltyReport.period_start >= year.start,
            RoyaltyReport.period_end <= year.end,
        )
    ).all()
    return sum((Decimal(value) for value in filed), Decimal(0))


def file_report(
    db: Session,
    agreement: Agreement,
    period_start: date | None,
    *,
    units_sold: int,
    net_sales_inr: Decimal,
    note: str = "",
    actor=None,
    today: date | None = None,
) -> RoyaltyReport:
    """File the report of an ended period; the royalty (and any top-up) is computed here."""
    today = today or local_today()
    period = next(
        (p for p in schedule.closed_periods(agreement, today) if p.start == period_start), None
    )
    if period is None:
        raise ServiceError(_("Choose a reporting period that has ended."))
    if taken(db, RoyaltyReport, agreement_id=agreement.id, period_start=period.start):
        raise ServiceError(_("The report for this period is already filed."))
    royalty = schedule.royalty_on(net_sales_inr, agreement.royalty_pct)
    topup = schedule.minimum_topup(
        agreement, period, _royalties_in_year(db, agreement, period) + royalty
    )
    report = RoyaltyReport(
        agreement_id=agreement.id,
        period_start=period.start,
        period_end=period.end,
        units_sold=units_sold,
        net_sales_inr=net_sales_inr,
        note=note,
        rate_pct=agreement.royalty_pct,
        royalty_inr=royalty,
        minimum_topup_inr=topup,
        submitted_by_id=getattr(actor, "id", None),
    )
    add_audited(
        db,
        report,
        "royalty.report_filed",
        on=agreement,
        changes=lambda report: {
            "report_id": report.id,
            "period": f"{period.start}..{period.end}",
            "units_sold": units_sold,
            "net_sales_inr": net_sales_inr,
            "royalty_inr": royalty,
            "minimum_topup_inr": topup,
        },
        actor=actor,
    )
    _tell_staff(agreement, report)
    return report


def _tell_staff(agreement: Agreement, report: RoyaltyReport) -> None:
    address = current_app.config.get("STAFF_NOTIFY_EMAIL")
    if not address:
        return
    send_mail(
        address,
        _("Royalty report filed: %(ref)s", ref=agreement.reference),
        _(
            "%(ref)s filed its royalty report for %(start)s to %(end)s: net sales %(sales)s, "
            "amount due %(due)s.",
            ref=agreement.reference,
            start=format_date(report.period_start),
            end=format_date(report.period_end),
            sales=format_inr(report.net_sales_inr),
            due=format_inr(report.amount_due_inr),
        ),
    )


def record_payment(
    db: Session,
    report: RoyaltyReport,
    *,
    amount_inr: Decimal,
    received_on: date,
    reference: str = "",
    actor=None,
    today: date | None = None,
) -> RoyaltyPayment:
    """Record money received against a report (never dated in the future)."""
    if received_on > (today or local_today()):
        raise ServiceError(_("A payment cannot be received in the future."))
    payment = RoyaltyPayment(
        report_id=report.id,
        amount_inr=amount_inr,
        received_on=received_on,
        reference=reference,
        recorded_by_id=getattr(actor, "id", None),
    )
    return add_audited(
        db,
        payment,
        "royalty.payment_recorded",
        on=db.get(Agreement, report.agreement_id),
        changes={"report_id": report.id, "amount_inr": amount_inr, "received_on": received_on},
        actor=actor,
    )
