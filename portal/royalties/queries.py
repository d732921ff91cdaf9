"""Reading royalties: one licence's periods with their reports and payments, and the overdue ones."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from portal.agreements.models import Agreement
from portal.royalties import schedule
from portal.royalties.models import RoyaltyPayment, RoyaltyReport
from portal.vocabulary import AgreementKind, AgreementStatus


@dataclass
class PeriodRow:
    period: schedule.Period
    report: RoyaltyReport | None
    payments: list[RoyaltyPayment] = field(default_factory=list)
    today: date | None = None

    @property
    def paid_inr(self) -> Decimal:
        return sum((Decimal(p.amount_inr) for p in self.payments), Decimal(0))

    @property
    def balance_inr(self) -> Decimal | None:
        """What is still owed on a filed report (negative: paid too much)."""
        return None if self.report is None else self.report.amount_due_inr - self.paid_inr

    @property
    def state(self) -> str:
        """overdue, due (ended, not yet late), unpaid, part_paid or paid."""
        if self.report is None:
            return "overdue" if self.today and self.period.due_on < self.today else "due"
        if self.paid_inr <= 0:
            return "unpaid"
        return "paid" if self.balance_inr <= 0 else "part_paid"


def _filed(
    db: Session, agreement_ids: list[int]
) -> tuple[dict[tuple[int, date], RoyaltyReport], dict[int, list[RoyaltyPayment]]]:
    """The reports of these licences by (licence, period start), and their payments: two queries
    whatever the number of licences (the dashboard counts overdue reports on every load)."""
    reports = {
        (r.agreement_id, r.period_start): r
        for r in db.exec(
            select(RoyaltyReport).where(RoyaltyReport.agreement_id.in_(agreement_ids))
        ).all()
    }
    payments: dict[int, list[RoyaltyPayment]] = defaultdict(list)
    if reports:
        for payment in db.exec(
            select(RoyaltyPayment)
            .where(RoyaltyPayment.report_id.in_([r.id for r in reports.values()]))
            .order_by(RoyaltyPayment.received_on)
        ).all():
            payments[payment.report_id].append(payment)
    return reports, payments


def _rows(agreement: Agreement, today: date, reports, payments) -> list[PeriodRow]:
    rows = []
    for period in schedule.closed_periods(agreement, today):
        report = reports.get((agreement.id, period.start))
        rows.append(PeriodRow(period, report, payments.get(report.id, []) if report else [], today))
    return list(reversed(rows))


def periods_of(db: Session, agreement: Agreement, today: date) -> list[PeriodRow]:
    """Every ended period of a licence, newest first, with its report and payments."""
    return _rows(agreement, today, *_filed(db, [agreement.id]))


def licences_with_royalties(db: Session) -> list[Agreement]:
    """Licences that carry a royalty rate and have started (drafts and negotiations excluded)."""
    live = (AgreementStatus.ACTIVE, AgreementStatus.EXPIRED, AgreementStatus.COMPLETED)
    return list(
        db.exec(
            select(Agreement)
            .where(
                Agreement.kind == AgreementKind.LICENSE,
                Agreement.royalty_pct.is_not(None),
                Agreement.effective_on.is_not(None),
                Agreement.status.in_(live),
            )
            .order_by(Agreement.reference)
        ).all()
    )


def all_periods(db: Session, today: date) -> list[tuple[Agreement, PeriodRow]]:
    """Every licence's ended periods (for the staff list, the CSV and the KPI)."""
    licences = licences_with_royalties(db)
    reports, payments = _filed(db, [agreement.id for agreement in licences])
    return [
        (agreement, row)
        for agreement in licences
        for row in _rows(agreement, today, reports, payments)
    ]


def overdue_count(db: Session, today: date) -> int:
    """Royalty reports past their due date and not filed."""
    return sum(1 for _agreement, row in all_periods(db, today) if row.state == "overdue")
