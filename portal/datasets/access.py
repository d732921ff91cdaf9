"""Who may see a dataset, stated once as SQL (lists, counts) and used by every loader.

public     → everyone;
partners   → partner users whose organisation has an effectively active agreement;
restricted → the organisation holds an unrevoked grant not past its expiry date, and when the
             grant names an agreement, that agreement is effectively active.
Staff see everything. Anyone else gets 404 for the dataset and everything under it (loaders.py),
so access lapses by itself the day an agreement or a grant expires.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, true
from sqlmodel import select

from portal import db as portal_db
from portal.agreements.models import Agreement
from portal.agreements.status import active_agreement_clause
from portal.datasets.models import Dataset, DatasetGrant
from portal.dates import local_today
from portal.vocabulary import Visibility


def current_grant_clause(organization_id: int, today: date) -> ColumnElement[bool]:
    """SQL for a grant of this organisation that currently opens its dataset."""
    agreement_active = exists(
        select(Agreement.id).where(
            Agreement.id == DatasetGrant.agreement_id, active_agreement_clause(today)
        )
    )
    return and_(
        DatasetGrant.organization_id == organization_id,
        DatasetGrant.revoked_at.is_(None),
        or_(DatasetGrant.expires_on.is_(None), DatasetGrant.expires_on >= today),
        or_(DatasetGrant.agreement_id.is_(None), agreement_active),
    )


def visible_datasets_clause(user: Any, today: date | None = None) -> ColumnElement[bool]:
    """SQL restricting `Dataset` rows to those `user` may see today."""
    today = today or local_today()
    if getattr(user, "is_authenticated", False) and user.is_staff:
        return true()
    public = Dataset.visibility == Visibility.PUBLIC
    if not (getattr(user, "is_authenticated", False) and user.is_partner and user.organization_id):
        return public
    organization_id = user.organization_id
    has_active_agreement = exists(
        select(Agreement.id).where(
            Agreement.organization_id == organization_id, active_agreement_clause(today)
        )
    )
    granted = exists(
        select(DatasetGrant.id).where(
            DatasetGrant.dataset_id == Dataset.id, current_grant_clause(organization_id, today)
        )
    )
    return or_(
        public,
        and_(Dataset.visibility == Visibility.PARTNERS, has_active_agreement),
        and_(Dataset.visibility == Visibility.RESTRICTED, granted),
    )


def shared_with_clause(user: Any, today: date | None = None) -> ColumnElement[bool]:
    """SQL for the non-public datasets a partner sees ("Shared with you")."""
    if not (getattr(user, "is_authenticated", False) and user.is_partner):
        return false()
    return and_(Dataset.visibility != Visibility.PUBLIC, visible_datasets_clause(user, today))


def can_see(user: Any, dataset_id: int, today: date | None = None) -> bool:
    """Whether `user` may see the dataset with this id (one query)."""
    session = portal_db.session()
    found = session.exec(
        select(Dataset.id).where(Dataset.id == dataset_id, visible_datasets_clause(user, today))
    ).first()
    return found is not None
