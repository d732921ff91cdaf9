"""Users: creating them, switching them off and on, their password and their second factor.

Writes flush but never commit; the request (or command) commits once.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session

from portal import passwords
from portal.accounts.models import Role, User, UserFields, normalise_email
from portal.accounts.queries import user_by_email
from portal.accounts.sessions import accept_totp_code, end_all_sessions
from portal.audit.services import record
from portal.changes import audited_change
from portal.db import utcnow
from portal.errors import ServiceError
from portal.fields import field_names

# Declared user fields a creator may set besides the e-mail and the role (which are checked).
DETAILS = frozenset(field_names(UserFields)) - {"email", "role"}


def create_user(
    db: Session,
    *,
    email: str,
    role: str,
    organization_id: int | None = None,
    password: str | None = None,
    is_demo: bool = False,
    **details: Any,
) -> User:
    """Create a user (``details``: the other declared fields, e.g. name); partners must belong
    to an organisation and staff must not."""
    email = normalise_email(email)
    if role not in Role.values():
        raise ServiceError(_("Unknown role."))
    if role == Role.PARTNER and organization_id is None:
        raise ServiceError(_("A partner user must belong to an organisation."))
    if role != Role.PARTNER:
        organization_id = None
    if user_by_email(db, email):
        raise ServiceError(_("A user with this e-mail address already exists."))
    if password is not None and (problem := passwords.password_problem(password, email=email)):
        raise ServiceError(problem)
    values = {name: value for name, value in details.items() if name in DETAILS}
    values["name"] = str(values.get("name") or "").strip() or email
    user = User(
        **values,
        email=email,
        role=role,
        organization_id=organization_id,
        password_hash=passwords.hash_password(password) if password else None,
        password_changed_at=utcnow() if password else None,
        is_demo=is_demo,
    )
    db.add(user)
    db.flush()
    record(
        db,
        "user.created",
        user,
        changes={"email": email, "role": role, "organization_id": organization_id},
    )
    return user


def set_active(db: Session, user: User, active: bool) -> User:
    """Deactivate (ending every session at once) or reactivate a user."""
    if user.is_active == active:
        return user
    action = "user.activated" if active else "user.deactivated"
    with audited_change(db, user, version=None, action=action, watch=("is_active",)):
        user.is_active = active
        if not active:
            end_all_sessions(db, user)
    return user


def change_password(db: Session, user: User, current: str, new: str) -> None:
    """Change a password after checking the current one; every other session of the user ends."""
    if not passwords.verify_password(user.password_hash, current):
        raise ServiceError(_("Your current password is not correct."))
    set_password(db, user, new)
    record(db, "user.password_changed", user)


def set_password(db: Session, user: User, new: str) -> None:
    """Set a new password (if it is good enough) and end every session of the user."""
    if problem := passwords.password_problem(new, email=user.email):
        raise ServiceError(problem)
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = utcnow()
    db.add(user)
    end_all_sessions(db, user)


def enable_totp(db: Session, user: User, secret: str, code: str) -> None:
    """Turn on the second factor once the user proves their app shows the right code."""
    if not accept_totp_code(db, user, secret, code):
        raise ServiceError(
            _("That code does not match. Check the time on your phone and try again.")
        )
    user.totp_secret = secret
    db.add(user)
    record(db, "user.totp_enabled", user)


def disable_totp(db: Session, user: User) -> None:
    """Turn off the second factor (refused for staff when it is required)."""
    if user.is_staff and current_app.config["STAFF_TOTP"] == "required":
        raise ServiceError(_("Staff and admins must keep two-step sign-in on."))
    user.totp_secret = None
    user.totp_last_step = None
    db.add(user)
    record(db, "user.totp_disabled", user)
