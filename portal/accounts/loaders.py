"""The accounts' object loaders for staff pages: the record a route asks for, or 404."""

from __future__ import annotations

from flask import abort

from portal import db
from portal.accounts.models import Organization, User


def _by_id_or_404(model: type, record_id: int):
    record = db.session().get(model, record_id)
    if record is None:
        abort(404)
    return record


def get_organization_or_404(org_id: int) -> Organization:
    """An organisation by id (only staff pages reach here), else 404."""
    return _by_id_or_404(Organization, org_id)


def get_user_or_404(user_id: int) -> User:
    """A user by id (only staff pages reach here), else 404."""
    return _by_id_or_404(User, user_id)
