"""Grants: a restricted dataset opened to one organisation, optionally under an agreement and
until a date (flushes, never commits). Whether a grant opens a dataset today is access.py's rule.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session

from portal.accounts.models import Organization
from portal.agreements.models import Agreement
from portal.changes import add_audited, audited_change
from portal.datasets.grant_notices import grant_given, grant_lapsed
from portal.datasets.models import Dataset, DatasetGrant
from portal.dates import local_today
from portal.db import utcnow
from portal.errors import ServiceError


def grant_access(
    db: Session,
    dataset: Dataset,
    *,
    organization_id: int,
    agreement_id: int | None = None,
    expires_on: date | None = None,
    today: date | None = None,
    actor=None,
) -> DatasetGrant:
    """Open a dataset to an organisation, optionally under one of its agreements, until a date."""
    today = today or local_today()
    organization = db.get(Organization, organization_id) if organization_id else None
    if organization is None:
        raise ServiceError(_("Choose an organisation."))
    if agreement_id:
        agreement = db.get(Agreement, agreement_id)
        if agreement is None or agreement.organization_id != organization.id:
            raise ServiceError(_("The agreement must be one of that organisation's agreements."))
    if expires_on is not None and expires_on < today:
        raise ServiceError(_("The expiry date is in the past."))
    grant = DatasetGrant(
        dataset_id=dataset.id,
        organization_id=organization.id,
        agreement_id=agreement_id or None,
        expires_on=expires_on,
        granted_by_id=getattr(actor, "id", None),
    )
    add_audited(
        db,
        grant,
        "dataset.granted",
        on=dataset,
        changes=lambda grant: {
            "grant_id": grant.id,
            "organization": organization.slug,
            "agreement_id": grant.agreement_id,
            "expires_on": expires_on,
        },
        actor=actor,
    )
    grant_given(db, grant, dataset)
    return grant


def revoke_grant(db: Session, grant: DatasetGrant, *, actor=None) -> DatasetGrant:
    """End a grant now (it stays listed, marked revoked)."""
    if grant.revoked_at is not None:
        raise ServiceError(_("This grant is already revoked."))
    dataset = db.get(Dataset, grant.dataset_id)
    with audited_change(
        db,
        grant,
        version=None,
        action="dataset.grant_revoked",
        watch=("revoked_at",),
        on=dataset,
        actor=actor,
        note={"grant_id": grant.id, "organization_id": grant.organization_id},
    ):
        grant.revoked_at = utcnow()
    grant_lapsed(db, grant, dataset)
    return grant
