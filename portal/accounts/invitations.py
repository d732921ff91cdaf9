"""Invitations: a single-use, expiring link to set a password, from creation to acceptance.

Creating and accepting flush but never commit; delivering renders the mail and the staff page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session, select

from portal.accounts.models import Invitation, User
from portal.accounts.tokens import digest, new_secret
from portal.accounts.users import create_user, set_password
from portal.audit.services import record
from portal.db import utcnow
from portal.errors import ServiceError
from portal.mail import send_mail


def invite_user(
    db: Session, *, email: str, role: str, organization_id: int | None, **details: Any
) -> tuple[User, str]:
    """Create a user without a password and a single-use link to set one; returns the raw token."""
    user = create_user(db, email=email, role=role, organization_id=organization_id, **details)
    token = _issue_invitation(db, user)
    record(db, "user.invited", user, changes={"email": user.email, "role": role})
    return user, token


def reissue_invitation(db: Session, user: User) -> str:
    """A fresh set-password link for a user; earlier links stop working."""
    for invitation in db.exec(
        select(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
    ).all():
        invitation.used_at = utcnow()
        db.add(invitation)
    token = _issue_invitation(db, user)
    record(db, "user.reinvited", user)
    return token


def _issue_invitation(db: Session, user: User) -> str:
    token = new_secret()
    days = current_app.config["INVITE_VALID_DAYS"]
    db.add(
        Invitation(
            token_hash=digest(token),
            user_id=user.id,
            created_by_id=_current_user_id(),
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    db.flush()
    return token


def _current_user_id() -> int | None:
    if has_request_context() and current_user.is_authenticated:
        return current_user.id
    return None


def invitation_for_token(db: Session, token: str) -> Invitation | None:
    """The open invitation behind a link, or None when it is unknown, used or expired."""
    invitation = db.exec(select(Invitation).where(Invitation.token_hash == digest(token))).first()
    if invitation is None or invitation.used_at is not None or invitation.expires_at < utcnow():
        return None
    return invitation


def accept_invitation(db: Session, invitation: Invitation, password: str) -> User:
    """Set the password from an invitation link and use the link up."""
    user = db.get(User, invitation.user_id)
    if user is None or not user.is_active:
        raise ServiceError(_("This invitation is no longer valid."))
    set_password(db, user, password)
    invitation.used_at = utcnow()
    db.add(invitation)
    record(db, "user.invitation_accepted", user, actor=user)
    return user


def deliver_invitation(user: User, token: str, organization_name: str):
    """Mail the set-password link when SMTP is configured, and show it to the staff member once."""
    link = current_app.config["BASE_URL"].rstrip("/") + url_for(
        "accounts.accept_invite", token=token
    )
    days = current_app.config["INVITE_VALID_DAYS"]
    sent = send_mail(
        user.email,
        _("Your account on the CoE Battery Technology-Transfer Portal"),
        render_template(
            "accounts/invite_mail.txt",
            user=user,
            link=link,
            days=days,
            organization=organization_name,
        ),
    )
    mailed = sent and bool(current_app.config["SMTP_URL"])
    return render_template(
        "accounts/invite_sent.html", user=user, link=link, days=days, mailed=mailed
    )
