"""Key figures of agreements and milestones for the staff dashboard (a few grouped queries)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, case
from sqlmodel import Session, func, select

from portal.agreements.models import Agreement, Milestone
from portal.agreements.status import live_agreement_clause, milestone_overdue_clause
from portal.vocabulary import AgreementKind, AgreementStatus, MilestoneKind, MilestoneStatus

CHART_MONTHS_BEFORE = 3
CHART_MONTHS_AFTER = 8
DUE_SOON_DAYS = 30


def _month_start(day: date, shift: int = 0) -> date:
    index = day.year * 12 + (day.month - 1) + shift
    return date(index // 12, index % 12 + 1, 1)


def agreement_counts(db: Session, today: date) -> dict:
    """Agreements by effective status, and active ones by kind (one grouped query)."""
    effective = Agreement.status_on(today)  # one expression object: SELECT and GROUP BY match
    rows = db.exec(
        select(Agreement.kind, effective, func.count(Agreement.id)).group_by(
            Agreement.kind, effective
        )
    ).all()
    by_status = dict.fromkeys(AgreementStatus.values(), 0)
    active_by_kind = dict.fromkeys(AgreementKind.values(), 0)
    for kind, status, count in rows:
        by_status[status] = by_status.get(status, 0) + count
        if status == AgreementStatus.ACTIVE:
            active_by_kind[kind] = active_by_kind.get(kind, 0) + count
    return {"by_status": by_status, "active_by_kind": active_by_kind}


def _sum_where(condition, value=1):
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def milestone_figures(db: Session, today: date) -> dict:
    """Due soon, overdue, and payment amounts outstanding and received (one aggregate query)."""
    is_payment = Milestone.kind == MilestoneKind.PAYMENT
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    accepted = Milestone.status == MilestoneStatus.ACCEPTED
    due_soon, overdue, outstanding, received = db.exec(
        select(
            _sum_where(and_(Milestone.is_open, Milestone.due_on.between(today, horizon))),
            _sum_where(milestone_overdue_clause(today)),
            _sum_where(and_(Milestone.is_open, is_payment), Milestone.amount_inr),
            _sum_where(and_(is_payment, accepted), Milestone.amount_inr),
        )
        .select_from(Milestone)
        .join(Agreement, Agreement.id == Milestone.agreement_id)
        .where(live_agreement_clause(today))
    ).one()
    return {
        "due_soon": int(due_soon or 0),
        "overdue": int(overdue or 0),
        "amount_due": Decimal(str(outstanding or 0)),
        "amount_received": Decimal(str(received or 0)),
    }


def milestone_chart(db: Session, today: date) -> dict:
    """Milestones due per month, stacked by status, from a few months back to several ahead."""
    first = _month_start(today, -CHART_MONTHS_BEFORE)
    end = _month_start(today, CHART_MONTHS_AFTER + 1)
    months = [_month_start(first, i) for i in range(CHART_MONTHS_BEFORE + CHART_MONTHS_AFTER + 1)]
    rows = db.exec(
        select(Milestone.due_on, Milestone.status, func.count(Milestone.id))
        .join(Agreement, Agreement.id == Milestone.agreement_id)
        .where(
            Milestone.due_on >= first,
            Milestone.due_on < end,
            Agreement.status != AgreementStatus.DRAFT,
        )
        .group_by(Milestone.due_on, Milestone.status)
    ).all()
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for due_on, status, count in rows:
        counts[status][due_on.strftime("%Y-%m")] += count
    keys = [m.strftime("%Y-%m") for m in months]
    return {
        "labels": [m.strftime("%m-%Y") for m in months],
        "series": [
            {"status": status.value, "counts": [counts[status.value][k] for k in keys]}
            for status in MilestoneStatus
        ],
        "status_labels": {status.value: str(status.label) for status in MilestoneStatus},
    }
