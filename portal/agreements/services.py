"""Every write about agreements and milestones (flushes, never commits): create, edit, move along
the status chain, and the sweep that records expiries. Documents, evidence and reminders have rooms
of their own (documents.py, evidence.py, reminders.py); the status tables live in status.py."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from flask import has_request_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, func
from sqlmodel import Session, select

from portal.accounts.models import Organization, User
from portal.agreements.consistency import check_agreement_dates, completion_problem
from portal.agreements.models import (
    Agreement,
    AgreementFields,
    AgreementTechnology,
    Milestone,
    MilestoneEvent,
    MilestoneFields,
)
from portal.agreements.notices import milestone_decided
from portal.agreements.status import (
    AGREEMENT_CHAIN,
    FINISHED_STATUSES,
    MILESTONE_CHAIN,
    REASON_REQUIRED,
    allowed_transitions,
    effective_status,
    effective_status_clause,
    is_live,
)
from portal.audit.services import record
from portal.catalog.models import Technology
from portal.changes import add_audited, apply_changes, audited_change, check_version, snapshot
from portal.dates import local_today
from portal.db import taken
from portal.errors import ServiceError
from portal.fields import field_names
from portal.vocabulary import (
    AgreementKind,
    AgreementStatus,
    MilestoneKind,
    MilestoneOwner,
    MilestoneStatus,
)

S = AgreementStatus
M = MilestoneStatus

# What staff may set: the declared fields of each record (AgreementFields, MilestoneFields).
AGREEMENT_EDITABLE = frozenset(field_names(AgreementFields))
MILESTONE_EDITABLE = frozenset(field_names(MilestoneFields))
# Set by seeding only, never by a form.
CREATE_ONLY = frozenset({"is_demo"})
# What a status change may touch (signing and activation fill in their dates).
STATUS_WATCH = ("status", "signed_on", "effective_on")

KIND_CODES = {
    AgreementKind.MOU: "MOU",
    AgreementKind.LICENSE: "LIC",
    AgreementKind.NDA: "NDA",
    AgreementKind.MTA: "MTA",
}
REFERENCE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9\-/]{2,39}$")


def _pick(fields: dict[str, Any], names) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if name in names}


def _with_reason(reason: str) -> dict[str, str] | None:
    return {"reason": reason} if reason else None


# --- agreements ------------------------------------------------------------------------------


def _validate_agreement(db: Session, fields: dict[str, Any]) -> None:
    if fields.get("kind") not in AgreementKind.values():
        raise ServiceError(_("Choose the kind of agreement."))
    if not fields.get("organization_id") or db.get(Organization, fields["organization_id"]) is None:
        raise ServiceError(_("Choose the partner organisation."))
    staff_id = fields.get("responsible_staff_id")
    if staff_id:
        staff = db.get(User, staff_id)
        if staff is None or not staff.is_staff or not staff.is_active:
            raise ServiceError(_("The responsible person must be an active staff member."))
    pct = fields.get("royalty_pct")
    if pct is not None and not (Decimal(0) <= Decimal(str(pct)) <= Decimal(100)):
        raise ServiceError(_("The royalty percentage must be between 0 and 100."))
    check_agreement_dates(fields)


def next_reference(db: Session, kind: str, year: int) -> str:
    """The next free reference of this kind and year, e.g. COE-MOU-2025-004."""
    prefix = f"COE-{KIND_CODES.get(kind, 'AGR')}-{year}-"
    existing = db.exec(select(Agreement.reference).where(Agreement.reference.like(prefix + "%")))
    numbers = [int(ref[len(prefix) :]) for ref in existing if ref[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def technology_ids_of(db: Session, agreement: Agreement) -> list[int]:
    """The ids of the technologies an agreement covers."""
    return sorted(
        db.exec(
            select(AgreementTechnology.technology_id).where(
                AgreementTechnology.agreement_id == agreement.id
            )
        ).all()
    )


def _technologies(db: Session, agreement: Agreement) -> dict:
    return {"technology_ids": lambda: technology_ids_of(db, agreement)}


def _set_technologies(db: Session, agreement: Agreement, technology_ids: list[int]) -> None:
    wanted = sorted({int(t) for t in technology_ids})
    if wanted:
        found = db.exec(select(Technology.id).where(Technology.id.in_(wanted))).all()
        if len(found) != len(wanted):
            raise ServiceError(_("One of the chosen technologies does not exist."))
    db.exec(delete(AgreementTechnology).where(AgreementTechnology.agreement_id == agreement.id))
    for technology_id in wanted:
        db.add(AgreementTechnology(agreement_id=agreement.id, technology_id=technology_id))
    db.flush()


def create_agreement(
    db: Session, *, technology_ids: list[int] | None = None, reference: str = "", **fields
) -> Agreement:
    """Create a draft agreement (reference generated when blank) with its technologies."""
    fields = _pick(fields, AGREEMENT_EDITABLE | CREATE_ONLY)
    _validate_agreement(db, fields)
    reference = (reference or "").strip().upper() or next_reference(
        db, fields["kind"], local_today().year
    )
    if not REFERENCE_PATTERN.match(reference):
        raise ServiceError(
            _("A reference uses capital letters, digits, hyphens and slashes (3–40 characters).")
        )
    if taken(db, Agreement, reference=reference):
        raise ServiceError(_("The reference %(ref)s is already used.", ref=reference))
    agreement = Agreement(reference=reference, status=S.DRAFT, **fields)
    db.add(agreement)
    db.flush()
    _set_technologies(db, agreement, technology_ids or [])
    after = snapshot(
        agreement, (*AGREEMENT_EDITABLE, "reference", "status"), _technologies(db, agreement)
    )
    record(db, "agreement.created", agreement, changes={"after": after})
    return agreement


def update_agreement(
    db: Session,
    agreement: Agreement,
    *,
    version: int | str | None,
    technology_ids: list[int] | None = None,
    **fields,
) -> Agreement:
    """Edit an agreement's details; a stale or missing `version` is a ConflictError."""
    check_version(agreement, version)
    wanted = _pick(fields, AGREEMENT_EDITABLE)
    merged = {**snapshot(agreement, AGREEMENT_EDITABLE), **wanted}
    _validate_agreement(db, merged)
    if effective_status(agreement) in FINISHED_STATUSES and any(
        name != "is_announced" and value != getattr(agreement, name)
        for name, value in wanted.items()
    ):
        raise ServiceError(
            _("A completed, expired or terminated agreement can no longer be changed.")
        )
    apply_changes(
        db,
        agreement,
        wanted,
        allowed=AGREEMENT_EDITABLE,
        version=version,
        action="agreement.updated",
        related=_technologies(db, agreement),
        also=None
        if technology_ids is None
        else lambda: _set_technologies(db, agreement, technology_ids),
    )
    return agreement


def transition_agreement(
    db: Session,
    agreement: Agreement,
    to_status: str,
    *,
    version: int | str | None,
    reason: str = "",
    today: date | None = None,
    actor: Any = None,
) -> Agreement:
    """Move an agreement along its status chain; an illegal step raises ServiceError, unchanged."""
    today = today or local_today()
    check_version(agreement, version)
    AGREEMENT_CHAIN.check(
        effective_status(agreement, today), to_status, allowed_transitions(agreement, today)
    )
    if to_status == S.ACTIVE and agreement.expires_on is not None and agreement.expires_on < today:
        raise ServiceError(
            _("The expiry date has passed; extend it before making the agreement active.")
        )
    if to_status == S.COMPLETED:
        open_milestones = db.exec(
            select(func.count())
            .select_from(Milestone)
            .where(Milestone.agreement_id == agreement.id, Milestone.is_open)
        ).one()
        problem = completion_problem(agreement, open_milestones, today)
        if problem:
            raise ServiceError(problem)
    with audited_change(
        db,
        agreement,
        version=version,
        action="agreement.status_changed",
        watch=STATUS_WATCH,
        actor=actor,
        note=_with_reason(reason),
    ):
        if to_status == S.SIGNED and agreement.signed_on is None:
            agreement.signed_on = today
        if to_status == S.ACTIVE and agreement.effective_on is None:
            agreement.effective_on = today
        agreement.status = to_status
    return agreement


def sweep_expired(db: Session, today: date | None = None) -> list[Agreement]:
    """Persist and audit the expiry of active agreements past their expiry date (idempotent)."""
    due = db.exec(
        select(Agreement)
        .where(Agreement.status == S.ACTIVE, effective_status_clause(S.EXPIRED, today))
        .order_by(Agreement.id)
    ).all()
    for agreement in due:
        with audited_change(
            db,
            agreement,
            version=agreement.version,  # a system action on the current record
            action="agreement.expired",
            watch=("status",),
            note={"reason": f"expiry date {agreement.expires_on.isoformat()} passed"},
        ):
            agreement.status = S.EXPIRED
    return list(due)


# --- milestones ------------------------------------------------------------------------------


def _validate_milestone(fields: dict[str, Any]) -> None:
    if not (fields.get("title") or "").strip():
        raise ServiceError(_("Give the milestone a title."))
    if fields.get("kind") not in MilestoneKind.values():
        raise ServiceError(_("Choose the kind of milestone."))
    if fields.get("owner") not in MilestoneOwner.values():
        raise ServiceError(_("Choose who owns the milestone."))
    if not isinstance(fields.get("due_on"), date):
        raise ServiceError(_("Give the milestone a due date."))
    amount = fields.get("amount_inr")
    if amount is not None and Decimal(str(amount)) < 0:
        raise ServiceError(_("The amount cannot be negative."))


def _actor() -> Any:
    if has_request_context() and current_user.is_authenticated:
        return current_user
    return None


def _event(
    db: Session, milestone: Milestone, from_status: str, to_status: str, reason: str
) -> None:
    actor = _actor()
    db.add(
        MilestoneEvent(
            milestone_id=milestone.id,
            actor_id=getattr(actor, "id", None),
            actor_label=getattr(actor, "email", None) or "system",
            from_status=from_status,
            to_status=to_status,
            reason=reason,
        )
    )


def create_milestone(db: Session, agreement: Agreement, **fields) -> Milestone:
    """Add a milestone to an agreement that is not yet finished."""
    if effective_status(agreement) in FINISHED_STATUSES:
        raise ServiceError(_("A finished agreement cannot get new milestones."))
    fields = _pick(fields, MILESTONE_EDITABLE)
    fields.setdefault("kind", MilestoneKind.DELIVERABLE)
    fields.setdefault("owner", MilestoneOwner.PARTNER)
    _validate_milestone(fields)
    fields["title"] = fields["title"].strip()
    milestone = Milestone(agreement_id=agreement.id, status=M.PLANNED, **fields)
    add_audited(
        db,
        milestone,
        "milestone.created",
        changes=lambda m: {"after": snapshot(m, (*MILESTONE_EDITABLE, "agreement_id", "status"))},
    )
    _event(db, milestone, "", M.PLANNED, _("Milestone created"))
    return milestone


def update_milestone(
    db: Session, milestone: Milestone, *, version: int | str | None, **fields
) -> Milestone:
    """Edit a milestone's details (not its status); a stale or missing version is a conflict."""
    check_version(milestone, version)
    if not milestone.is_open:
        raise ServiceError(_("An accepted or waived milestone can no longer be changed."))
    wanted = _pick(fields, MILESTONE_EDITABLE)
    _validate_milestone({**snapshot(milestone, MILESTONE_EDITABLE), **wanted})
    apply_changes(
        db,
        milestone,
        wanted,
        allowed=MILESTONE_EDITABLE,
        version=version,
        action="milestone.updated",
    )
    return milestone


def transition_milestone(
    db: Session,
    milestone: Milestone,
    to_status: str,
    *,
    version: int | str | None,
    reason: str = "",
) -> Milestone:
    """Move a milestone along its chain; rejecting or waiving needs a reason; audited and logged."""
    check_version(milestone, version)
    reason = (reason or "").strip()
    MILESTONE_CHAIN.check(milestone.status, to_status)
    if to_status in REASON_REQUIRED and not reason:
        raise ServiceError(_("Say why, so the partner knows what to do next."))
    agreement = db.get(Agreement, milestone.agreement_id)
    if to_status != M.WAIVED and not is_live(agreement):
        raise ServiceError(_("Milestones move only while the agreement is signed or active."))
    from_status = milestone.status
    with audited_change(
        db,
        milestone,
        version=version,
        action="milestone.status_changed",
        watch=("status",),
        note=_with_reason(reason),
    ):
        milestone.status = to_status
    _event(db, milestone, from_status, to_status, reason)
    if to_status in (M.ACCEPTED, M.REJECTED):
        milestone_decided(db, milestone, agreement, reason)
    return milestone
