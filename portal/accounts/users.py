"""Users: creating them, switching them off and on, their password and their second factor.

Writes flush but never commit; the request (or command) commits once. A change a user makes to
their own password or second factor comes after re-authentication (the view checks
``sessions.confirm_identity`` first) and is told to them by mail.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session

from portal import passwords
from portal.accounts import notices, totp
from portal.accounts.models import Organization, User, UserFields, normalise_email
from portal.accounts.queries import organization_users, user_by_email
from portal.accounts.sessions import end_all_access
from portal.audit.services import record
from portal.changes import add_audited, audited_change
from portal.db import utcnow
from portal.errors import ServiceError
from portal.fields import field_names
from portal.vocabulary import Role

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
    return add_audited(
        db,
        user,
        "user.created",
        changes={"email": email, "role": role, "organization_id": organization_id},
    )


def may_manage(actor: User, target: User) -> bool:
    """Whether staff member `actor` may act on `target`'s account (send a new invitation, lift a
    lock): staff act on partners only, admins on everyone; nobody on their own account."""
    if actor.id == target.id or not actor.is_staff:
        return False
    return actor.is_admin or target.is_partner


def set_active(db: Session, user: User, active: bool) -> User:
    """Deactivate (ending every session and API token at once) or reactivate a user."""
    if user.is_active == active:
        return user
    action = "user.activated" if active else "user.deactivated"
    with audited_change(db, user, version=None, action=action, watch=("is_active",)):
        user.is_active = active
        if not active:
            end_all_access(db, user, "deactivated")
    return user


def deactivate_organization(db: Session, organization: Organization) -> int:
    """Switch off every user of an organisation (it leaves the portal): their sessions and API
    tokens end at once. Returns how many were active; audited per user and once in all."""
    users = [user for user in organization_users(db, organization) if user.is_active]
    for user in users:
        set_active(db, user, False)
    record(db, "organization.deactivated", organization, changes={"users_deactivated": len(users)})
    return len(users)


def change_password(db: Session, user: User, new: str) -> None:
    """A user's new password (after re-authentication): every session and API token of theirs
    ends, and they are told by mail."""
    set_password(db, user, new, reason="password changed")
    record(db, "user.password_changed", user)
    notices.send_security_notice(user, notices.PASSWORD_CHANGED)


def set_password(db: Session, user: User, new: str, *, reason: str = "password set") -> None:
    """Set a new password (if it is good enough); every session and API token of the user ends."""
    if problem := passwords.password_problem(new, email=user.email):
        raise ServiceError(problem)
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = utcnow()
    db.add(user)
    end_all_access(db, user, reason)


def enable_totp(db: Session, user: User, secret: str, code: str) -> None:
    """Turn on the second factor, or move it to a new app (after re-authentication), once the
    user proves their app shows the right code; they are told by mail."""
    # A new secret has no used codes yet (the old one's replay guard does not apply to it).
    step = totp.matching_step(secret, code)
    if step is None:
        raise ServiceError(
            _("That code does not match. Check the time on your phone and try again.")
        )
    replaced = bool(user.totp_secret)
    user.totp_secret = secret
    user.totp_last_step = step
    db.add(user)
    record(db, "user.totp_replaced" if replaced else "user.totp_enabled", user)
    notices.send_security_notice(user, notices.TOTP_REPLACED if replaced else notices.TOTP_ENABLED)


def disable_totp(db: Session, user: User) -> None:
    """Turn off the second factor (after re-authentication; refused for staff when it is
    required); the user is told by mail."""
    if user.is_staff and current_app.config["STAFF_TOTP"] == "required":
        raise ServiceError(_("Staff and admins must keep two-step sign-in on."))
    _clear_second_factor(user)
    db.add(user)
    record(db, "user.totp_disabled", user)
    notices.send_security_notice(user, notices.TOTP_DISABLED)


def reset_totp_by_admin(db: Session, admin: User, user: User) -> None:
    """An admin turns off another user's second factor (a lost phone). Explicit and audited:
    the user's sessions and API tokens end, and they are told by mail. Staff must enrol again
    at their next sign-in when two-step sign-in is required."""
    if admin.id == user.id or not admin.is_admin:
        raise ServiceError(_("Turn off your own two-step sign-in from your account page."))
    if not user.totp_secret:
        raise ServiceError(_("This user has no two-step sign-in to turn off."))
    _clear_second_factor(user)
    db.add(user)
    end_all_access(db, user, "second factor reset by an admin")
    record(db, "user.totp_reset", user, actor=admin)
    notices.send_security_notice(user, notices.TOTP_RESET_BY_ADMIN)


def _clear_second_factor(user: User) -> None:
    user.totp_secret = None
    user.totp_last_step = None
