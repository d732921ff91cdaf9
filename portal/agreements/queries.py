"""What the agreement pages and the API read: filtered lists, an agreement's parts, choice lists.

Every status filter reads ``Agreement.status_on`` (the one expiry rule) through portal.agreements.status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func
from sqlmodel import Session, select

from portal.accounts.models import Organization, User
from portal.agreements.loaders import partner_agreements_clause
from portal.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementTechnology,
    Milestone,
    MilestoneEvent,
    MilestoneEvidence,
)
from portal.agreements.status import (
    active_agreement_clause,
    effective_status_clause,
    live_agreement_clause,
    milestone_overdue_clause,
)
from portal.catalog.models import Technology
from portal.datasets.models import DatasetGrant
from portal.db import children
from portal.formdata import parse_int
from portal.queryargs import QueryArgs, known, one, param, switch
from portal.textmatch import clean_search, contains
from portal.vocabulary import (
    AgreementKind,
    AgreementStatus,
    MilestoneKind,
    MilestoneOwner,
    MilestoneStatus,
)

MAX_WINDOW_DAYS = 3650
OPEN = "open"  # the milestone filter for "neither accepted nor waived"


def _window(raw: Any) -> int | None:
    """A number of days from a query parameter, or None when it is odd or out of range."""
    days = parse_int(raw)
    return days if days is not None and 0 <= days <= MAX_WINDOW_DAYS else None


# --- staff: the agreements list ------------------------------------------------------------


@dataclass(frozen=True)
class AgreementFilters(QueryArgs):
    """The staff list's filters: unknown codes are dropped and odd numbers ignored."""

    status: str = param(known(AgreementStatus.values()))
    kind: str = param(known(AgreementKind.values()))
    org: int | None = param(one(parse_int), None)
    expiring: int | None = param(one(_window), None)
    q: str = param(one(clean_search))


def _equal(query: Select, *wanted: tuple[Any, Any]) -> Select:
    """``query`` narrowed to rows whose column equals each value given (an empty one: any)."""
    for column, value in wanted:
        if value:
            query = query.where(column == value)
    return query


def admin_agreements_query(filters: AgreementFilters, today: date) -> Select:
    """Agreements with their organisation's name and count of overdue milestones, newest first."""
    overdue = (
        select(Milestone.agreement_id, func.count(Milestone.id).label("overdue"))
        .where(milestone_overdue_clause(today))
        .group_by(Milestone.agreement_id)
        .subquery()
    )
    query = (
        select(Agreement, Organization.name, func.coalesce(overdue.c.overdue, 0))
        .join(Organization, Organization.id == Agreement.organization_id)
        .outerjoin(overdue, overdue.c.agreement_id == Agreement.id)
        .order_by(Agreement.created_at.desc(), Agreement.id.desc())
    )
    if filters.status:
        query = query.where(effective_status_clause(filters.status, today))
    query = _equal(query, (Agreement.kind, filters.kind), (Agreement.organization_id, filters.org))
    if filters.expiring is not None:
        query = query.where(
            active_agreement_clause(today),
            Agreement.expires_on <= today + timedelta(days=filters.expiring),
        )
    if filters.q:
        query = query.where(contains(filters.q, Agreement.reference, Agreement.title))
    return query


# --- staff: milestones across agreements -----------------------------------------------------


MILESTONE_STATUSES = (OPEN, *MilestoneStatus.values())


@dataclass(frozen=True)
class MilestoneFilters(QueryArgs):
    """The staff milestone list's filters (the lists behind the dashboard figures)."""

    status: str = param(known(MILESTONE_STATUSES))
    kind: str = param(known(MilestoneKind.values()))
    owner: str = param(known(MilestoneOwner.values()))
    due_within: int | None = param(one(_window), None)
    overdue: bool = switch("1")
    live: bool = switch("live", key="agreements")


def admin_milestones_query(filters: MilestoneFilters, today: date) -> Select:
    """Milestones with their agreement and organisation's name, soonest due first."""
    query = (
        select(Milestone, Agreement, Organization.name)
        .join(Agreement, Agreement.id == Milestone.agreement_id)
        .join(Organization, Organization.id == Agreement.organization_id)
        .order_by(Milestone.due_on, Milestone.id)
    )
    if filters.status == OPEN:
        query = query.where(Milestone.is_open)
    elif filters.status:
        query = query.where(Milestone.status == filters.status)
    query = _equal(query, (Milestone.kind, filters.kind), (Milestone.owner, filters.owner))
    if filters.due_within is not None:
        query = query.where(
            Milestone.due_on.between(today, today + timedelta(days=filters.due_within)),
            Milestone.is_open,
        )
    if filters.overdue:
        query = query.where(milestone_overdue_clause(today))
    if filters.live:
        query = query.where(live_agreement_clause(today))
    return query


# --- choice lists for forms and filters ------------------------------------------------------


def organizations(db: Session) -> list[Organization]:
    """Every organisation, by name."""
    return list(db.exec(select(Organization).order_by(Organization.name)).all())


def active_staff(db: Session) -> list[User]:
    """Staff and admins who can be responsible for an agreement, by name."""
    return list(
        db.exec(
            select(User)
            .where(User.role.in_(("staff", "admin")), User.is_active)
            .order_by(User.name)
        ).all()
    )


def technology_choices(db: Session) -> list[tuple[int, str]]:
    """(id, title) of every technology, by title."""
    rows = db.exec(select(Technology.id, Technology.title).order_by(Technology.title)).all()
    return [(technology_id, title) for technology_id, title in rows]


# --- one agreement's parts -------------------------------------------------------------------


def organization_of(db: Session, agreement: Agreement) -> Organization:
    """The partner organisation of an agreement."""
    return db.get(Organization, agreement.organization_id)


def responsible_of(db: Session, agreement: Agreement) -> User | None:
    """The staff member responsible for an agreement, if one is named."""
    return db.get(User, agreement.responsible_staff_id) if agreement.responsible_staff_id else None


def technologies_of(db: Session, agreement: Agreement) -> list[Technology]:
    """The technologies an agreement covers, by title."""
    return list(
        db.exec(
            select(Technology)
            .join(AgreementTechnology, AgreementTechnology.technology_id == Technology.id)
            .where(AgreementTechnology.agreement_id == agreement.id)
            .order_by(Technology.title)
        ).all()
    )


def documents_of(db: Session, agreement: Agreement) -> list[AgreementDocument]:
    """The agreement's document versions, newest first."""
    return children(
        db, AgreementDocument.agreement_id, agreement.id, AgreementDocument.version.desc()
    )


def milestones_of(db: Session, agreement: Agreement) -> list[Milestone]:
    """The agreement's milestones, soonest due first."""
    return children(db, Milestone.agreement_id, agreement.id, Milestone.due_on, Milestone.id)


def history_of(db: Session, milestone: Milestone) -> list[MilestoneEvent]:
    """A milestone's status changes, oldest first."""
    return children(
        db, MilestoneEvent.milestone_id, milestone.id, MilestoneEvent.created_at, MilestoneEvent.id
    )


def evidence_of(db: Session, milestone: Milestone) -> list[tuple[MilestoneEvidence, str | None]]:
    """What was handed in for a milestone with the submitter's name, newest first."""
    return list(
        db.exec(
            select(MilestoneEvidence, User.name)
            .outerjoin(User, User.id == MilestoneEvidence.submitted_by_id)
            .where(MilestoneEvidence.milestone_id == milestone.id)
            .order_by(MilestoneEvidence.created_at.desc(), MilestoneEvidence.id.desc())
        ).all()
    )


# --- the API: the caller's agreements and milestones ----------------------------------------


def my_agreements_clause(user: Any) -> ColumnElement[bool]:
    """A partner's: their organisation's (drafts excepted); staff: those they are responsible for."""
    if user.is_staff:
        return Agreement.responsible_staff_id == user.id
    return partner_agreements_clause(user)


def my_agreements_query(user: Any) -> Select:
    """The caller's agreements with their organisation's slug, newest first."""
    return (
        select(Agreement, Organization.slug)
        .join(Organization, Organization.id == Agreement.organization_id)
        .where(my_agreements_clause(user))
        .order_by(Agreement.created_at.desc(), Agreement.id.desc())
    )


def my_milestones_query(user: Any) -> Select:
    """The milestones of the caller's agreements with the agreement's reference, soonest first."""
    return (
        select(Milestone, Agreement.reference)
        .join(Agreement, Agreement.id == Milestone.agreement_id)
        .where(my_agreements_clause(user))
        .order_by(Milestone.due_on, Milestone.id)
    )


def technology_slugs(db: Session, agreement_ids: list[int]) -> dict[int, list[str]]:
    """The slugs of the technologies of each agreement (one query for a whole page)."""
    slugs: dict[int, list[str]] = {agreement_id: [] for agreement_id in agreement_ids}
    if agreement_ids:
        for agreement_id, slug in db.exec(
            select(AgreementTechnology.agreement_id, Technology.slug)
            .join(Technology, Technology.id == AgreementTechnology.technology_id)
            .where(AgreementTechnology.agreement_id.in_(agreement_ids))
            .order_by(Technology.slug)
        ).all():
            slugs[agreement_id].append(slug)
    return slugs


def termination_counts(db: Session, agreement: Agreement) -> tuple[int, int]:
    """How many open milestones and live dataset grants an agreement holds (for the confirmation)."""
    open_milestones = db.exec(
        select(func.count())
        .select_from(Milestone)
        .where(Milestone.agreement_id == agreement.id, Milestone.is_open)
    ).one()
    grants = db.exec(
        select(func.count())
        .select_from(DatasetGrant)
        .where(DatasetGrant.agreement_id == agreement.id, DatasetGrant.revoked_at.is_(None))
    ).one()
    return open_milestones, grants
