"""Every write about agreements, documents and milestones (flushes, never commits), the status rules,
the derived expiry, the object loaders and the reminder run."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any
from zoneinfo import ZoneInfo

from flask import abort, current_app, has_request_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, delete, or_
from sqlmodel import Session, func, select

from portal import db as portal_db
from portal import filestore
from portal.accounts.models import Organization, User
from portal.agreements import files
from portal.agreements.models import (
    CLOSED_MILESTONE_STATUSES,
    Agreement,
    AgreementDocument,
    AgreementKind,
    AgreementStatus,
    AgreementTechnology,
    Milestone,
    MilestoneEvent,
    MilestoneEvidence,
    MilestoneKind,
    MilestoneOwner,
    MilestoneReminder,
    MilestoneStatus,
)
from portal.audit.services import diff, record
from portal.catalog.models import Technology
from portal.db import utcnow
from portal.errors import ConflictError, ServiceError

INDIA = ZoneInfo("Asia/Kolkata")
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
# Decisions that must say why (the partner reads the reason in the milestone history).
REASON_REQUIRED = (M.REJECTED, M.WAIVED)
# Agreements in these states carry live obligations: milestones can be worked on and reminded.
LIVE_STATUSES = (S.SIGNED, S.ACTIVE)
# Partners never see an agreement that is still a staff draft.
HIDDEN_FROM_PARTNERS = (S.DRAFT,)
# Reminders go out for milestones still waiting on someone's work (submitted ones wait on review).
REMINDABLE = (M.PLANNED, M.IN_PROGRESS, M.REJECTED)
REMINDER_DAYS = (14, 7, 1)

KIND_CODES = {"mou": "MOU", "license": "LIC", "nda": "NDA", "mta": "MTA"}
REFERENCE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9\-/]{2,39}$")
AGREEMENT_FIELDS = (
    "title",
    "kind",
    "organization_id",
    "responsible_staff_id",
    "scope",
    "exclusivity",
    "field_of_use",
    "territory",
    "royalty_text",
    "royalty_pct",
    "signed_on",
    "effective_on",
    "expires_on",
    "is_announced",
)
MILESTONE_FIELDS = ("title", "description", "kind", "owner", "due_on", "amount_inr")


def local_today() -> date:
    """Today in India: agreement and milestone dates are Indian calendar dates."""
    return datetime.now(INDIA).date()


# --- derived status --------------------------------------------------------------------------


def effective_status(agreement: Agreement, today: date | None = None) -> str:
    """The status as everyone should read it: an active agreement past its expiry is expired."""
    today = today or local_today()
    if (
        agreement.status == S.ACTIVE
        and agreement.expires_on is not None
        and agreement.expires_on < today
    ):
        return S.EXPIRED
    return agreement.status


def active_agreement_clause(today: date | None = None) -> ColumnElement[bool]:
    """SQL for "effectively active": status active and not past its expiry date."""
    today = today or local_today()
    return and_(
        Agreement.status == S.ACTIVE,
        or_(Agreement.expires_on.is_(None), Agreement.expires_on >= today),
    )


def live_agreement_clause(today: date | None = None) -> ColumnElement[bool]:
    """SQL for agreements with live obligations: signed, or effectively active."""
    return or_(Agreement.status == S.SIGNED, active_agreement_clause(today))


def effective_status_clause(status: str, today: date | None = None) -> ColumnElement[bool]:
    """SQL matching agreements whose effective status is `status` (for list filters and counts)."""
    today = today or local_today()
    expired_by_date = and_(Agreement.status == S.ACTIVE, Agreement.expires_on < today)
    if status == S.ACTIVE:
        return active_agreement_clause(today)
    if status == S.EXPIRED:
        return or_(Agreement.status == S.EXPIRED, expired_by_date)
    return Agreement.status == status


def milestone_overdue_clause(today: date | None = None) -> ColumnElement[bool]:
    """SQL for overdue milestones: past due and neither accepted nor waived."""
    today = today or local_today()
    return and_(Milestone.due_on < today, Milestone.status.not_in(CLOSED_MILESTONE_STATUSES))


def allowed_transitions(agreement: Agreement, today: date | None = None) -> tuple[str, ...]:
    """Where this agreement may go next (an active one past expiry may only be marked expired)."""
    if effective_status(agreement, today) == S.EXPIRED and agreement.status == S.ACTIVE:
        return (S.EXPIRED,)
    return TRANSITIONS.get(agreement.status, ())


def allowed_milestone_transitions(milestone: Milestone) -> tuple[str, ...]:
    """Where a milestone may go next."""
    return MILESTONE_TRANSITIONS.get(milestone.status, ())


# --- object loaders (the object rule: another organisation's record is a 404) -----------------


def visible_to(user: Any, agreement: Agreement | None) -> bool:
    """Staff see every agreement; a partner only their organisation's, drafts excepted."""
    if agreement is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    return (
        user.is_partner
        and agreement.organization_id == user.organization_id
        and agreement.status not in HIDDEN_FROM_PARTNERS
    )


def partner_agreements_clause(user: Any) -> ColumnElement[bool]:
    """SQL restricting agreements to what a partner may see."""
    return and_(
        Agreement.organization_id == user.organization_id,
        Agreement.status.not_in(HIDDEN_FROM_PARTNERS),
    )


def get_agreement_or_404(agreement_id: int, for_user: Any) -> Agreement:
    """An agreement the user may see, else 404 (never 403: ids leak nothing)."""
    agreement = portal_db.session().get(Agreement, agreement_id)
    if not visible_to(for_user, agreement):
        abort(404)
    return agreement


def get_milestone_or_404(milestone_id: int, for_user: Any) -> Milestone:
    """A milestone of an agreement the user may see, else 404."""
    session = portal_db.session()
    milestone = session.get(Milestone, milestone_id)
    if milestone is None or not visible_to(
        for_user, session.get(Agreement, milestone.agreement_id)
    ):
        abort(404)
    return milestone


def get_document_or_404(agreement_id: int, document_id: int, for_user: Any) -> AgreementDocument:
    """A document of an agreement the user may see, else 404."""
    agreement = get_agreement_or_404(agreement_id, for_user)
    document = portal_db.session().get(AgreementDocument, document_id)
    if document is None or document.agreement_id != agreement.id:
        abort(404)
    return document


def get_evidence_or_404(evidence_id: int, for_user: Any) -> MilestoneEvidence:
    """Evidence on a milestone the user may see, else 404."""
    evidence = portal_db.session().get(MilestoneEvidence, evidence_id)
    if evidence is None:
        abort(404)
    get_milestone_or_404(evidence.milestone_id, for_user)
    return evidence


# --- agreements ------------------------------------------------------------------------------


def _check_version(obj: Any, expected: int | None) -> None:
    if expected is not None and int(expected) != obj.version:
        raise ConflictError()


def _snapshot(obj: Any) -> dict[str, Any]:
    return obj.model_dump()


def _validate_agreement(db: Session, fields: dict[str, Any]) -> None:
    if fields.get("kind") not in {k.value for k in AgreementKind}:
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
    effective_on, expires_on = fields.get("effective_on"), fields.get("expires_on")
    if effective_on and expires_on and expires_on < effective_on:
        raise ServiceError(_("The expiry date cannot be before the effective date."))


def next_reference(db: Session, kind: str, year: int) -> str:
    """The next free reference of this kind and year, e.g. COE-MOU-2025-004."""
    prefix = f"COE-{KIND_CODES.get(kind, 'AGR')}-{year}-"
    existing = db.exec(select(Agreement.reference).where(Agreement.reference.like(prefix + "%")))
    numbers = [int(ref[len(prefix) :]) for ref in existing if ref[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def create_agreement(
    db: Session, *, technology_ids: list[int] | None = None, reference: str = "", **fields
) -> Agreement:
    """Create a draft agreement (reference generated when blank) with its technologies."""
    fields = {k: v for k, v in fields.items() if k in AGREEMENT_FIELDS or k == "is_demo"}
    _validate_agreement(db, fields)
    reference = (reference or "").strip().upper() or next_reference(
        db, fields["kind"], local_today().year
    )
    if not REFERENCE_PATTERN.match(reference):
        raise ServiceError(
            _("A reference uses capital letters, digits, hyphens and slashes (3–40 characters).")
        )
    if db.exec(select(Agreement.id).where(Agreement.reference == reference)).first():
        raise ServiceError(_("The reference %(ref)s is already used.", ref=reference))
    agreement = Agreement(reference=reference, status=S.DRAFT, **fields)
    db.add(agreement)
    db.flush()
    _set_technologies(db, agreement, technology_ids or [])
    record(
        db,
        "agreement.created",
        agreement,
        changes={"after": {**_snapshot(agreement), "technology_ids": sorted(technology_ids or [])}},
    )
    return agreement


def technology_ids_of(db: Session, agreement: Agreement) -> list[int]:
    """The ids of the technologies an agreement covers."""
    return sorted(
        db.exec(
            select(AgreementTechnology.technology_id).where(
                AgreementTechnology.agreement_id == agreement.id
            )
        ).all()
    )


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


def update_agreement(
    db: Session,
    agreement: Agreement,
    *,
    version: int | None,
    technology_ids: list[int] | None = None,
    **fields,
) -> Agreement:
    """Edit an agreement's details; a stale `version` raises ConflictError and changes nothing."""
    _check_version(agreement, version)
    fields = {k: v for k, v in fields.items() if k in AGREEMENT_FIELDS}
    merged = {**_snapshot(agreement), **fields}
    _validate_agreement(db, merged)
    if effective_status(agreement) in (S.COMPLETED, S.EXPIRED, S.TERMINATED) and any(
        k != "is_announced" and merged[k] != getattr(agreement, k) for k in fields
    ):
        raise ServiceError(
            _("A completed, expired or terminated agreement can no longer be changed.")
        )
    before = {**_snapshot(agreement), "technology_ids": technology_ids_of(db, agreement)}
    for key, value in fields.items():
        setattr(agreement, key, value)
    if technology_ids is not None:
        _set_technologies(db, agreement, technology_ids)
    agreement.version += 1
    agreement.updated_at = utcnow()
    db.add(agreement)
    db.flush()
    after = {**_snapshot(agreement), "technology_ids": technology_ids_of(db, agreement)}
    record(db, "agreement.updated", agreement, changes=diff(before, after))
    return agreement


def transition_agreement(
    db: Session,
    agreement: Agreement,
    to_status: str,
    *,
    version: int | None = None,
    reason: str = "",
    today: date | None = None,
    actor: Any = None,
) -> Agreement:
    """Move an agreement along its status chain; an illegal step raises ServiceError, unchanged."""
    today = today or local_today()
    _check_version(agreement, version)
    if to_status not in TRANSITIONS:
        raise ServiceError(_("Unknown status."))
    shown = effective_status(agreement, today)
    if to_status not in allowed_transitions(agreement, today):
        raise ServiceError(
            _(
                "An agreement that is %(current)s cannot become %(target)s.",
                current=_status_label(shown),
                target=_status_label(to_status),
            )
        )
    before = _snapshot(agreement)
    if to_status == S.SIGNED and agreement.signed_on is None:
        agreement.signed_on = today
    if to_status == S.ACTIVE:
        if agreement.expires_on is not None and agreement.expires_on < today:
            raise ServiceError(
                _("The expiry date has passed; extend it before making the agreement active.")
            )
        if agreement.effective_on is None:
            agreement.effective_on = today
    agreement.status = to_status
    agreement.version += 1
    agreement.updated_at = utcnow()
    db.add(agreement)
    db.flush()
    changes = diff(before, _snapshot(agreement))
    if reason:
        changes["reason"] = reason
    record(db, "agreement.status_changed", agreement, changes=changes, actor=actor)
    return agreement


def _status_label(status: str) -> str:
    return status.replace("_", " ")


def sweep_expired(db: Session, today: date | None = None) -> list[Agreement]:
    """Persist and audit the expiry of active agreements past their expiry date (idempotent)."""
    today = today or local_today()
    due = db.exec(
        select(Agreement)
        .where(Agreement.status == S.ACTIVE, Agreement.expires_on < today)
        .order_by(Agreement.id)
    ).all()
    for agreement in due:
        before = _snapshot(agreement)
        agreement.status = S.EXPIRED
        agreement.version += 1
        agreement.updated_at = utcnow()
        db.add(agreement)
        db.flush()
        changes = diff(before, _snapshot(agreement))
        changes["reason"] = f"expiry date {agreement.expires_on.isoformat()} passed"
        record(db, "agreement.expired", agreement, changes=changes)
    return list(due)


# --- documents -------------------------------------------------------------------------------


def add_document(
    db: Session,
    agreement: Agreement,
    stream: IO[bytes],
    original_filename: str,
    *,
    title: str = "",
    uploaded_by: Any = None,
) -> AgreementDocument:
    """Store a new version of an agreement's document (size and type checked); audited."""
    stored = files.store_upload(stream, "agreements")
    filestore.remove_on_rollback(db, files.stored_path("agreements", stored.stored_name))
    latest = db.exec(
        select(func.max(AgreementDocument.version)).where(
            AgreementDocument.agreement_id == agreement.id
        )
    ).one()
    document = AgreementDocument(
        agreement_id=agreement.id,
        version=(latest or 0) + 1,
        title=(title or "").strip()[:200] or _("Agreement document"),
        stored_name=stored.stored_name,
        original_filename=files.display_filename(original_filename),
        content_type=stored.content_type,
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        uploaded_by_id=getattr(uploaded_by, "id", None),
    )
    db.add(document)
    db.flush()
    record(
        db,
        "agreement.document_added",
        agreement,
        changes={
            "document_id": document.id,
            "version": document.version,
            "title": document.title,
            "filename": document.original_filename,
            "content_type": document.content_type,
            "size_bytes": document.size_bytes,
            "sha256": document.sha256,
        },
    )
    return document


def record_document_download(
    db: Session, document: AgreementDocument, agreement: Agreement
) -> None:
    """Audit that a document was downloaded (who, from where, which version)."""
    record(
        db,
        "agreement.document_downloaded",
        agreement,
        changes={"document_id": document.id, "version": document.version},
    )


# --- milestones ------------------------------------------------------------------------------


def _validate_milestone(fields: dict[str, Any]) -> None:
    if not (fields.get("title") or "").strip():
        raise ServiceError(_("Give the milestone a title."))
    if fields.get("kind") not in {k.value for k in MilestoneKind}:
        raise ServiceError(_("Choose the kind of milestone."))
    if fields.get("owner") not in {o.value for o in MilestoneOwner}:
        raise ServiceError(_("Choose who owns the milestone."))
    if not isinstance(fields.get("due_on"), date):
        raise ServiceError(_("Give the milestone a due date."))
    amount = fields.get("amount_inr")
    if amount is not None and Decimal(str(amount)) < 0:
        raise ServiceError(_("The amount cannot be negative."))


def create_milestone(db: Session, agreement: Agreement, **fields) -> Milestone:
    """Add a milestone to an agreement that is not yet finished."""
    if effective_status(agreement) in (S.COMPLETED, S.EXPIRED, S.TERMINATED):
        raise ServiceError(_("A finished agreement cannot get new milestones."))
    fields = {k: v for k, v in fields.items() if k in MILESTONE_FIELDS}
    fields.setdefault("kind", MilestoneKind.DELIVERABLE)
    fields.setdefault("owner", MilestoneOwner.PARTNER)
    _validate_milestone(fields)
    fields["title"] = fields["title"].strip()
    milestone = Milestone(agreement_id=agreement.id, status=M.PLANNED, **fields)
    db.add(milestone)
    db.flush()
    _event(db, milestone, "", M.PLANNED, _("Milestone created"))
    record(db, "milestone.created", milestone, changes={"after": _snapshot(milestone)})
    return milestone


def update_milestone(
    db: Session, milestone: Milestone, *, version: int | None, **fields
) -> Milestone:
    """Edit a milestone's details (not its status); stale versions raise ConflictError."""
    _check_version(milestone, version)
    if milestone.status in CLOSED_MILESTONE_STATUSES:
        raise ServiceError(_("An accepted or waived milestone can no longer be changed."))
    fields = {k: v for k, v in fields.items() if k in MILESTONE_FIELDS}
    _validate_milestone({**_snapshot(milestone), **fields})
    before = _snapshot(milestone)
    for key, value in fields.items():
        setattr(milestone, key, value)
    milestone.version += 1
    milestone.updated_at = utcnow()
    db.add(milestone)
    db.flush()
    record(db, "milestone.updated", milestone, changes=diff(before, _snapshot(milestone)))
    return milestone


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


def transition_milestone(
    db: Session,
    milestone: Milestone,
    to_status: str,
    *,
    version: int | None = None,
    reason: str = "",
) -> Milestone:
    """Move a milestone along its chain; rejecting or waiving needs a reason; audited and logged."""
    _check_version(milestone, version)
    reason = (reason or "").strip()
    if to_status not in MILESTONE_TRANSITIONS:
        raise ServiceError(_("Unknown status."))
    if to_status not in allowed_milestone_transitions(milestone):
        raise ServiceError(
            _(
                "A milestone that is %(current)s cannot become %(target)s.",
                current=_status_label(milestone.status),
                target=_status_label(to_status),
            )
        )
    if to_status in REASON_REQUIRED and not reason:
        raise ServiceError(_("Say why, so the partner knows what to do next."))
    agreement = db.get(Agreement, milestone.agreement_id)
    if to_status != M.WAIVED and effective_status(agreement) not in LIVE_STATUSES:
        raise ServiceError(_("Milestones move only while the agreement is signed or active."))
    before = _snapshot(milestone)
    from_status = milestone.status
    milestone.status = to_status
    milestone.version += 1
    milestone.updated_at = utcnow()
    db.add(milestone)
    db.flush()
    _event(db, milestone, from_status, to_status, reason)
    changes = diff(before, _snapshot(milestone))
    if reason:
        changes["reason"] = reason
    record(db, "milestone.status_changed", milestone, changes=changes)
    return milestone


def submit_evidence(
    db: Session,
    milestone: Milestone,
    submitter: Any,
    *,
    note: str = "",
    link_url: str = "",
    stream: IO[bytes] | None = None,
    original_filename: str = "",
    dataset_id: int | None = None,
) -> MilestoneEvidence:
    """A partner hands in evidence; the milestone becomes submitted (awaiting staff review)."""
    note, link_url = (note or "").strip(), (link_url or "").strip()
    if not (note or link_url or stream or dataset_id):
        raise ServiceError(_("Add a note, a file, a link or a dataset."))
    if link_url and not re.match(r"^https?://[^\s]+$", link_url):
        raise ServiceError(_("A link must start with http:// or https://."))
    if milestone.owner != MilestoneOwner.PARTNER and not submitter.is_staff:
        raise ServiceError(_("This milestone is the CoE's to deliver."))
    if milestone.status in (M.ACCEPTED, M.WAIVED):
        raise ServiceError(_("This milestone is already closed."))
    agreement = db.get(Agreement, milestone.agreement_id)
    if effective_status(agreement) not in LIVE_STATUSES:
        raise ServiceError(
            _("Evidence can be handed in only while the agreement is signed or active.")
        )
    stored = files.store_upload(stream, "evidence") if stream is not None else None
    if stored is not None:
        filestore.remove_on_rollback(db, files.stored_path("evidence", stored.stored_name))
    evidence = MilestoneEvidence(
        milestone_id=milestone.id,
        submitted_by_id=submitter.id,
        note=note,
        link_url=link_url[:500],
        stored_name=stored.stored_name if stored else None,
        original_filename=files.display_filename(original_filename) if stored else "",
        content_type=stored.content_type if stored else "",
        size_bytes=stored.size_bytes if stored else None,
        sha256=stored.sha256 if stored else "",
        dataset_id=dataset_id or None,  # the view checks the submitter may see it
    )
    db.add(evidence)
    db.flush()
    record(
        db,
        "milestone.evidence_submitted",
        milestone,
        changes={
            "evidence_id": evidence.id,
            "has_file": stored is not None,
            "link_url": evidence.link_url,
            "sha256": evidence.sha256,
            "dataset_id": evidence.dataset_id,
        },
    )
    if milestone.status != M.SUBMITTED:
        transition_milestone(db, milestone, M.SUBMITTED, reason=_("Evidence submitted"))
    return evidence


def record_evidence_download(db: Session, evidence: MilestoneEvidence) -> None:
    """Audit that an evidence file was downloaded."""
    record(
        db,
        "milestone.evidence_downloaded",
        evidence,
        changes={"milestone_id": evidence.milestone_id},
        label=evidence.original_filename,
    )


# --- reminders -------------------------------------------------------------------------------


def reminder_threshold(due_on: date, today: date) -> str | None:
    """Which reminder a milestone due on `due_on` is in for: "14", "7", "1", "overdue" or None."""
    days = (due_on - today).days
    if days < 0:
        return "overdue"
    for limit in sorted(REMINDER_DAYS):
        if days <= limit:
            return str(limit)
    return None


@dataclass
class Reminder:
    milestone: Milestone
    agreement: Agreement
    organization: Organization
    threshold: str
    recipients: list[str]


def pending_reminders(db: Session, today: date | None = None) -> list[Reminder]:
    """Reminders due today that were not sent before (a bounded number of queries)."""
    today = today or local_today()
    horizon = date.fromordinal(today.toordinal() + max(REMINDER_DAYS))
    rows = db.exec(
        select(Milestone, Agreement, Organization)
        .join(Agreement, Agreement.id == Milestone.agreement_id)
        .join(Organization, Organization.id == Agreement.organization_id)
        .where(
            live_agreement_clause(today),
            Milestone.status.in_(REMINDABLE),
            Milestone.due_on <= horizon,
        )
        .order_by(Milestone.due_on, Milestone.id)
    ).all()
    if not rows:
        return []
    milestone_ids = [m.id for m, _a, _o in rows]
    sent = set(
        db.exec(
            select(MilestoneReminder.milestone_id, MilestoneReminder.threshold).where(
                MilestoneReminder.milestone_id.in_(milestone_ids)
            )
        ).all()
    )
    org_ids = {o.id for _m, _a, o in rows}
    staff_ids = {a.responsible_staff_id for _m, a, _o in rows if a.responsible_staff_id}
    people = db.exec(
        select(User).where(
            User.is_active,
            or_(
                and_(User.role == "partner", User.organization_id.in_(org_ids)),
                User.id.in_(staff_ids or {0}),
            ),
        )
    ).all()
    partner_mails: dict[int, list[str]] = defaultdict(list)
    staff_mails: dict[int, str] = {}
    for person in people:
        if person.is_partner:
            partner_mails[person.organization_id].append(person.email)
        else:
            staff_mails[person.id] = person.email
    fallback = current_app.config["STAFF_NOTIFY_EMAIL"]
    reminders = []
    for milestone, agreement, organization in rows:
        threshold = reminder_threshold(milestone.due_on, today)
        if threshold is None or (milestone.id, threshold) in sent:
            continue
        staff = staff_mails.get(agreement.responsible_staff_id or 0) or fallback
        recipients = sorted(
            set(partner_mails.get(organization.id, [])) | ({staff} if staff else set())
        )
        reminders.append(Reminder(milestone, agreement, organization, threshold, recipients))
    return reminders


def mark_reminded(db: Session, reminder: Reminder, delivered: int) -> None:
    """Record that a reminder went out, so the next run skips it."""
    db.add(
        MilestoneReminder(
            milestone_id=reminder.milestone.id, threshold=reminder.threshold, recipients=delivered
        )
    )
    record(
        db,
        "milestone.reminder_sent",
        reminder.milestone,
        changes={"threshold": reminder.threshold, "recipients": delivered},
    )
