"""Invitations: a single-use, expiring link to set a password, from creation to delivery.

Creating flushes but never commits; delivering mails the link and renders the staff page,
which says the link was sent but never shows it: only the user's mailbox receives it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, redirect, render_template, session, url_for
from flask_babel import gettext as _
from sqlmodel import Session

from portal.accounts.links import issue_link, link_for_token, mail_link
from portal.accounts.models import Invitation, User
from portal.accounts.users import create_user, may_manage
from portal.audit.services import record
from portal.errors import ServiceError
from portal.vocabulary import LinkPurpose


def _valid_for() -> timedelta:
    return timedelta(days=current_app.config["INVITE_VALID_DAYS"])


def invite_user(
    db: Session, *, email: str, role: str, organization_id: int | None, **details: Any
) -> tuple[User, str]:
    """Create a user without a password and a single-use link to set one; returns the raw token."""
    user = create_user(db, email=email, role=role, organization_id=organization_id, **details)
    token = issue_link(db, user, LinkPurpose.INVITE, _valid_for())
    record(db, "user.invited", user, changes={"email": user.email, "role": role})
    return user, token


def reissue_invitation(db: Session, user: User, actor: User) -> str:
    """A fresh set-password link for someone who has not set a password yet (the first link
    expired or got lost); earlier links stop working.

    Someone who already has a password uses "Forgot password" instead, so a new invitation can
    never be used to take an account over. Staff may send one to partners only.
    """
    if not may_manage(actor, user):
        raise ServiceError(_("You may not send a new link to this user."), status=403)
    if not user.is_active:
        raise ServiceError(_("%(email)s is deactivated.", email=user.email))
    if user.password_hash:
        raise ServiceError(
            _(
                "%(email)s has already set a password. If they lost it, they can use "
                "“Forgot your password?” on the sign-in page.",
                email=user.email,
            )
        )
    token = issue_link(db, user, LinkPurpose.INVITE, _valid_for())
    record(db, "user.reinvited", user)
    return token


def invitation_for_token(db: Session, token: str) -> Invitation | None:
    """The open invitation behind a link, or None when it is unknown, used or expired."""
    return link_for_token(db, token, LinkPurpose.INVITE)


def deliver_invitation(user: User, token: str, organization_name: str):
    """Mail the set-password link to the user, and tell the staff member it was sent."""
    days = current_app.config["INVITE_VALID_DAYS"]
    sent = mail_link(
        user.email,
        _("Your account on the CoE Battery Technology-Transfer Portal"),
        "accounts/invite_mail.txt",
        "accounts.accept_invite",
        token,
        user=user,
        days=days,
        organization=organization_name,
    )
    # POST/redirect/GET: reloading the confirmation page must not invite (and mail) again.
    session[INVITATION_SENT_KEY] = {"user_id": user.id, "sent": bool(sent)}
    return redirect(url_for("accounts.admin_invitation_sent"), code=303)


INVITATION_SENT_KEY = "invitation_sent"


def invitation_sent_page(db: Session):
    """The confirmation after an invitation, once; afterwards (a reload) the users list."""
    shown = session.pop(INVITATION_SENT_KEY, None)
    user = db.get(User, shown["user_id"]) if shown else None
    if user is None:
        return redirect(url_for("accounts.admin_users"))
    return render_template(
        "accounts/invite_sent.html",
        user=user,
        days=current_app.config["INVITE_VALID_DAYS"],
        sent=shown["sent"],
        mail_server=bool(current_app.config["SMTP_URL"]),
    )
