"""Access requests: a partner asks for a dataset whose card is public, accepting its terms (their
version and the time are recorded); staff approve, which grants it under one of the
organisation's agreements, or decline with a reason. Flushes, never commits."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from portal.accounts.models import User
from portal.agreements.models import Agreement
from portal.changes import add_audited, audited_change, check_version
from portal.datasets.grants import grant_access
from portal.datasets.models import AccessRequest, CycleSummary, Dataset, DatasetFile
from portal.db import taken, utcnow
from portal.errors import ServiceError
from portal.notifications.services import notify, staff_for
from portal.vocabulary import AccessRequestStatus, FileStatus, Visibility

R = AccessRequestStatus
PURPOSE_MIN, PURPOSE_MAX = 10, 2000


def terms_version(dataset: Dataset) -> str:
    """A fingerprint of the dataset's terms as they read now (changes whenever the text does)."""
    return hashlib.sha256((dataset.licence_terms or "").encode()).hexdigest()[:12]


def card_of(db: Session, dataset: Dataset) -> dict[str, Any]:
    """What the public card says of a dataset: no data, only its shape (two queries)."""
    files = db.exec(
        select(
            func.count(DatasetFile.id), func.coalesce(func.sum(DatasetFile.size_bytes), 0)
        ).where(DatasetFile.dataset_id == dataset.id, DatasetFile.status == FileStatus.INGESTED)
    ).one()
    cycles = db.exec(
        select(func.count(CycleSummary.cycle_index))
        .join(DatasetFile, DatasetFile.id == CycleSummary.dataset_file_id)
        .where(DatasetFile.dataset_id == dataset.id, DatasetFile.status == FileStatus.INGESTED)
    ).one()
    return {"files": files[0], "size_bytes": int(files[1]), "cycles": cycles}


def may_request(dataset: Dataset) -> bool:
    """Whether the dataset offers a card with a "Request access" button."""
    return dataset.public_card and dataset.visibility != Visibility.PUBLIC


def request_access(
    db: Session, dataset: Dataset, requester: User, *, purpose: str, accepted_terms: bool
) -> AccessRequest:
    """Record a partner's request with the terms' version and time; staff are told."""
    purpose = (purpose or "").strip()
    if not may_request(dataset):
        raise ServiceError(_("This dataset does not take access requests."))
    if not getattr(requester, "is_partner", False):
        raise ServiceError(_("Only partner organisations can request access."), status=403)
    if not PURPOSE_MIN <= len(purpose) <= PURPOSE_MAX:
        raise ServiceError(
            _("Describe the purpose in %(a)s to %(b)s characters.", a=PURPOSE_MIN, b=PURPOSE_MAX)
        )
    if not accepted_terms:
        raise ServiceError(_("Accept the dataset's terms to send the request."))
    if taken(
        db,
        AccessRequest,
        dataset_id=dataset.id,
        organization_id=requester.organization_id,
        status=R.PENDING,
    ):
        raise ServiceError(_("Your organisation already has a request waiting for this dataset."))
    access = AccessRequest(
        dataset_id=dataset.id,
        organization_id=requester.organization_id,
        requester_id=requester.id,
        purpose=purpose,
        terms_version=terms_version(dataset),
        terms_accepted_at=utcnow(),
    )
    add_audited(
        db,
        access,
        "dataset.access_requested",
        on=dataset,
        changes=lambda access: {"request_id": access.id, "terms_version": access.terms_version},
        actor=requester,
    )
    notify(
        db,
        staff_for(db, None),
        key=f"access_request.{access.id}.received",
        kind="access_requested",
        subject=_("Access requested to “%(title)s”", title=dataset.title),
        body=purpose[:500],
        link=("datasets.admin_access_requests", {}),
    )
    return access


def _decide(db: Session, access: AccessRequest, version, status: str, actor: User, **changes):
    check_version(access, version)
    if access.status != R.PENDING:
        raise ServiceError(_("This request has already been decided."))
    with audited_change(
        db,
        access,
        version=version,
        action=f"dataset.access_{status}",
        watch=("status", "grant_id", "decline_reason"),
        actor=actor,
    ):
        access.status = status
        access.decided_by_id = actor.id
        access.decided_at = utcnow()
        for name, value in changes.items():
            setattr(access, name, value)


def approve_request(
    db: Session,
    access: AccessRequest,
    *,
    version: int | str | None,
    agreement_id: int | None,
    expires_on: date | None,
    actor: User,
) -> AccessRequest:
    """Grant the dataset to the organisation under one of its agreements (it is told by the
    grant's own notification)."""
    agreement = db.get(Agreement, agreement_id) if agreement_id else None
    if agreement is None or agreement.organization_id != access.organization_id:
        raise ServiceError(_("Choose one of the organisation's agreements to grant it under."))
    dataset = db.get(Dataset, access.dataset_id)
    grant = grant_access(
        db,
        dataset,
        organization_id=access.organization_id,
        agreement_id=agreement.id,
        expires_on=expires_on,
        actor=actor,
    )
    _decide(db, access, version, R.APPROVED, actor, grant_id=grant.id)
    return access


def decline_request(
    db: Session, access: AccessRequest, *, version: int | str | None, reason: str, actor: User
) -> AccessRequest:
    """Decline with a reason the requester reads."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why, so the requester knows."))
    _decide(db, access, version, R.DECLINED, actor, decline_reason=reason[:2000])
    dataset = db.get(Dataset, access.dataset_id)
    requester = db.get(User, access.requester_id) if access.requester_id else None
    notify(
        db,
        [requester] if requester else [],
        key=f"access_request.{access.id}.declined",
        kind="access_declined",
        subject=_("Your request for “%(title)s” was declined", title=dataset.title),
        body=reason,
        link=("datasets.detail", {"slug": dataset.slug}),
    )
    return access
