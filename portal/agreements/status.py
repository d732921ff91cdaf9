"""Where agreements and milestones may go next, and the status rules as SQL.

The rule "an active agreement past its expiry date counts as expired" is ``Agreement.status_on``
(``Agreement.effective_status`` for today); every function here reads it from there.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement

from portal.agreements.labels import status_in_words
from portal.agreements.models import Agreement, Milestone
from portal.dates import local_today
from portal.transitions import Chain
from portal.vocabulary import AgreementStatus, MilestoneStatus

S = AgreementStatus
M = MilestoneStatus

# The one table of legal agreement transitions. Completed, expired and terminated are final.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.NEGOTIATION, S.SIGNED, S.TERMINATED),
    S.NEGOTIATION: (S.DRAFT, S.SIGNED, S.TERMINATED),
    S.SIGNED: (S.ACTIVE, S.TERMINATED),
    S.ACTIVE: (S.COMPLETED, S.EXPIRED, S.TERMINATED),
    S.COMPLETED: (),
    S.EXPIRED: (),
    S.TERMINATED: (),
}

# The one table of legal milestone transitions (evidence from a partner moves it to submitted).
MILESTONE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    M.PLANNED: (M.IN_PROGRESS, M.SUBMITTED, M.WAIVED),
    M.IN_PROGRESS: (M.PLANNED, M.SUBMITTED, M.WAIVED),
    M.SUBMITTED: (M.ACCEPTED, M.REJECTED),
    M.REJECTED: (M.IN_PROGRESS, M.SUBMITTED, M.WAIVED),
    M.ACCEPTED: (),
    M.WAIVED: (),
}
AGREEMENT_CHAIN = Chain(
    TRANSITIONS,
    status_in_words,
    _l("An agreement that is %(current)s cannot become %(target)s."),
)
MILESTONE_CHAIN = Chain(
    MILESTONE_TRANSITIONS,
    status_in_words,
    _l("A milestone that is %(current)s cannot become %(target)s."),
)
# Decisions that must say why (the partner reads the reason in the milestone history).
REASON_REQUIRED = (M.REJECTED, M.WAIVED)
# Agreements in these states carry live obligations: milestones can be worked on and reminded.
LIVE_STATUSES = (S.SIGNED, S.ACTIVE)
# Agreements in these states are over: their terms and milestones no longer change.
FINISHED_STATUSES = (S.COMPLETED, S.EXPIRED, S.TERMINATED)
# Partners never see an agreement that is still a staff draft.
HIDDEN_FROM_PARTNERS = (S.DRAFT,)


def effective_status(agreement: Agreement, today: date | None = None) -> str:
    """The status as everyone should read it: an active agreement past its expiry is expired."""
    return agreement.status_on(today or local_today())


def is_live(agreement: Agreement, today: date | None = None) -> bool:
    """Whether the agreement carries live obligations (signed, or active and not past expiry)."""
    return effective_status(agreement, today) in LIVE_STATUSES


def effective_status_clause(status: str, today: date | None = None) -> ColumnElement[bool]:
    """SQL matching agreements whose effective status is `status` (for list filters and counts)."""
    return Agreement.status_on(today or local_today()) == status


def active_agreement_clause(today: date | None = None) -> ColumnElement[bool]:
    """SQL for "effectively active": status active and not past its expiry date."""
    return effective_status_clause(S.ACTIVE, today)


def live_agreement_clause(today: date | None = None) -> ColumnElement[bool]:
    """SQL for agreements with live obligations: signed, or effectively active."""
    return Agreement.status_on(today or local_today()).in_(LIVE_STATUSES)


def milestone_overdue_clause(today: date | None = None) -> ColumnElement[bool]:
    """SQL for overdue milestones: past due and neither accepted nor waived."""
    return Milestone.is_overdue(today or local_today())


def allowed_transitions(agreement: Agreement, today: date | None = None) -> tuple[str, ...]:
    """Where this agreement may go next (an active one past expiry may only be marked expired)."""
    if agreement.status == S.ACTIVE and effective_status(agreement, today) == S.EXPIRED:
        return (S.EXPIRED,)
    return AGREEMENT_CHAIN.next_from(agreement.status)


def allowed_milestone_transitions(milestone: Milestone) -> tuple[str, ...]:
    """Where a milestone may go next."""
    return MILESTONE_CHAIN.next_from(milestone.status)
