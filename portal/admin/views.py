"""The staff dashboard at /admin: key figures of technology transfer, each linking to its list."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from flask import render_template
from sqlalchemy import and_, case
from sqlmodel import func, select

from portal import db
from portal.accounts.models import Organization, User
from portal.admin import bp
from portal.agreements import services as agreements
from portal.agreements.models import (
    CLOSED_MILESTONE_STATUSES,
    Agreement,
    AgreementKind,
    AgreementStatus,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
)
from portal.audit.models import AuditEntry
from portal.catalog.models import Inquiry, InquiryStatus

CHART_MONTHS_BEFORE = 3
CHART_MONTHS_AFTER = 8
DUE_SOON_DAYS = 30


def _month_start(day: date, shift: int = 0) -> date:
    index = day.year * 12 + (day.month - 1) + shift
    return date(index // 12, index % 12 + 1, 1)


def agreement_counts(session, today: date) -> dict:
    """Agreements by effective status, and active ones by kind (one grouped query)."""
    expired_by_date = and_(Agreement.status == AgreementStatus.ACTIVE, Agreement.expires_on < today)
    effective = case((expired_by_date, AgreementStatus.EXPIRED.value), else_=Agreement.status)
    rows = session.exec(
        select(Agreement.kind, effective, func.count(Agreement.id)).group_by(
            Agreement.kind, effective
        )
    ).all()
    by_status = {status.value: 0 for status in AgreementStatus}
    active_by_kind = {kind.value: 0 for kind in AgreementKind}
    for kind, status, count in rows:
        by_status[status] = by_status.get(status, 0) + count
        if status == AgreementStatus.ACTIVE:
            active_by_kind[kind] = active_by_kind.get(kind, 0) + count
    return {"by_status": by_status, "active_by_kind": active_by_kind}


def milestone_figures(session, today: date) -> dict:
    """Due soon, overdue, and payment amounts outstanding and received (one aggregate query)."""
    is_open = Milestone.status.not_in(CLOSED_MILESTONE_STATUSES)
    is_payment = Milestone.kind == MilestoneKind.PAYMENT
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    live = agreements.live_agreement_clause(today)
    row = session.exec(
        select(
            func.coalesce(
                func.sum(
                    case((and_(is_open, Milestone.due_on.between(today, horizon)), 1), else_=0)
                ),
                0,
            ),
            func.coalesce(func.sum(case((and_(is_open, Milestone.due_on < today), 1), else_=0)), 0),
            func.coalesce(
                func.sum(case((and_(is_open, is_payment), Milestone.amount_inr), else_=0)), 0
            ),
            func.coalesce(
                func.sum(
                    case(
                        (
                            and_(is_payment, Milestone.status == MilestoneStatus.ACCEPTED),
                            Milestone.amount_inr,
                        ),
                        else_=0,
                    )
                ),
                0,
            ),
        )
        .select_from(Milestone)
        .join(Agreement, Agreement.id == Milestone.agreement_id)
        .where(live)
    ).one()
    due_soon, overdue, outstanding, received = row
    return {
        "due_soon": int(due_soon or 0),
        "overdue": int(overdue or 0),
        "amount_due": Decimal(str(outstanding or 0)),
        "amount_received": Decimal(str(received or 0)),
    }


def milestone_chart(session, today: date) -> dict:
    """Milestones due per month, stacked by status, from a few months back to several ahead."""
    first = _month_start(today, -CHART_MONTHS_BEFORE)
    end = _month_start(today, CHART_MONTHS_AFTER + 1)
    months = [_month_start(first, i) for i in range(CHART_MONTHS_BEFORE + CHART_MONTHS_AFTER + 1)]
    rows = session.exec(
        select(Milestone.due_on, Milestone.status, func.count(Milestone.id))
        .join(Agreement, Agreement.id == Milestone.agreement_id)
        .where(Milestone.due_on >= first, Milestone.due_on < end, Agreement.status != "draft")
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
    }


@bp.get("")
def dashboard():
    """Key figures for the CoE's technology-transfer team."""
    session = db.session()
    today = agreements.local_today()
    counts = {
        "organizations": session.exec(select(func.count(Organization.id))).one(),
        "users": session.exec(select(func.count(User.id)).where(User.is_active)).one(),
        "new_inquiries": session.exec(
            select(func.count(Inquiry.id)).where(Inquiry.status == InquiryStatus.NEW)
        ).one(),
    }
    recent = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(8)).all()
    chart = milestone_chart(session, today)
    return render_template(
        "admin/dashboard.html",
        counts=counts,
        recent=recent,
        agreements=agreement_counts(session, today),
        milestones=milestone_figures(session, today),
        chart=chart,
        due_soon_days=DUE_SOON_DAYS,
        statuses=list(AgreementStatus),
    )
