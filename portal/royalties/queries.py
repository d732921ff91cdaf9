"""Reading royalties: one licence's periods with their reports and payments, and the overdue ones."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from portal.agreements.models import Agreement, AgreementKind, AgreementStatus
from portal.royalties import schedule
from portal.royalties.models import RoyaltyPayment, RoyaltyReport


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


def periods_of(db: Session, agreement: Agreement, today: date) -> list[PeriodRow]:
    """Every ended period of a licence, newest first, with its report and payments."""
    reports = {
        r.period_start: r
        for r in db.exec(
            select(RoyaltyReport).where(RoyaltyReport.agreement_id == agreement.id)
        ).all()
    }
    payments: dict[int, list[RoyaltyPayment]] = defaultdict(list)
    if reports:
        ids = [r.id for r in reports.values()]
        for payment in db.exec(
            select(RoyaltyPayment)
            .where(RoyaltyPayment.report_id.in_(ids))
            .order_by(RoyaltyPayment.received_on)
        ).all():
            payments[payment.report_id].append(payment)
    rows = []
    for period in schedule.closed_periods(agreement, today):
        report = reports.get(period.start)
        rows.append(PeriodRow(period, report, payments.get(report.id, []) if report else [], today))
    return list(reversed(rows))


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
    return [
        (agreement, row)
        for agreement in licences_with_royalties(db)
        for row in periods_of(db, agreement, today)
    ]


def overdue_count(db: Session, today: date) -> int:
    """Royalty reports past their due date and not filed."""
    return sum(1 for _agreement, row in all_periods(db, today) if row.state == "overdue")
