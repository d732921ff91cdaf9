"""Single-use, expiring links mailed to a user: invitations, password resets and e-mail address
confirmations. Only the link's hash is stored; a link works once, for one purpose, until it
expires, and issuing a new one for the same purpose cancels the older ones.

Setting a password from a link ends every session and API token of the user, and a user with a
second factor must still type a current code: a link alone never signs such a user in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import has_request_context, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session, select

from portal import passwords
from portal.accounts.models import Invitation, User
from portal.accounts.sessions import LoginOutcome, attempt_second_factor
from portal.accounts.tokens import digest, may_authenticate, new_secret
from portal.accounts.users import set_password
from portal.audit.services import record
from portal.db import utcnow
from portal.errors import ServiceError
from portal.mail import send_mail
from portal.vocabulary import LinkPurpose


def issue_link(
    db: Session, user: User, purpose: str, valid_for: timedelta, *, new_email: str | None = None
) -> str:
    """A new link for `user`; earlier open links of the same purpose stop working. Returns the
    raw token (for the mail only: it is never stored or shown to staff)."""
    cancel_open_links(db, user, purpose)
    token = new_secret()
    db.add(
        Invitation(
            token_hash=digest(token),
            user_id=user.id,
            purpose=purpose,
            new_email=new_email,
            created_by_id=_current_user_id(),
            expires_at=utcnow() + valid_for,
        )
    )
    db.flush()
    return token


def cancel_open_links(db: Session, user: User, purpose: str) -> int:
    """Use up every open link of this purpose (a newer one replaces them)."""
    links = db.exec(
        select(Invitation).where(
            Invitation.user_id == user.id,
            Invitation.purpose == purpose,
            Invitation.used_at.is_(None),
        )
    ).all()
    now = utcnow()
    for link in links:
        link.used_at = now
        db.add(link)
    return len(links)


def _current_user_id() -> int | None:
    if has_request_context() and current_user.is_authenticated:
        return current_user.id
    return None


def link_for_token(db: Session, token: str, purpose: str) -> Invitation | None:
    """The open link of this purpose behind a token, or None (unknown, used, expired, other)."""
    if not token or len(token) > 200:
        return None
    link = db.exec(select(Invitation).where(Invitation.token_hash == digest(token))).first()
    if (
        link is None
        or link.purpose != purpose
        or link.used_at is not None
        or link.expires_at < utcnow()
    ):
        return None
    return link


def use_link(db: Session, link: Invitation) -> None:
    """Mark a link used: it never works again."""
    link.used_at = utcnow()
    db.add(link)


@dataclass(frozen=True)
class LinkOutcome:
    """The answer to a set-password link: the user (signed in next), or why not."""

    user: User | None
    error: str | None = None
    throttled: bool = False
    retry_after_s: int = 0


def set_password_from_link(
    db: Session, link: Invitation, password: str, code: str = ""
) -> LinkOutcome:
    """Set a password from an invitation or reset link and use the link up.

    A user with a second factor must give a current code first (a wrong one counts toward
    their code lock and is committed: this returns instead of raising). Nothing is changed
    until the code is right. A weak password raises ServiceError.
    """
    user = db.get(User, link.user_id)
    if not may_authenticate(user):
        raise ServiceError(_("This link is no longer valid."))
    if problem := passwords.password_problem(password, email=user.email):
        raise ServiceError(problem)
    if user.totp_secret:
        outcome: LoginOutcome = attempt_second_factor(db, user, code, purpose=link.purpose)
        if outcome.user is None:
            return LinkOutcome(
                None,
                _("Enter the current code from your authenticator app."),
                outcome.throttled,
                outcome.retry_after_s,
            )
    set_password(db, user, password, reason=link.purpose)
    use_link(db, link)
    action = (
        "user.invitation_accepted" if link.purpose == LinkPurpose.INVITE else "user.password_reset"
    )
    record(db, action, user, actor=user)
    return LinkOutcome(user)


def mail_link(to: str, subject: str, template: str, endpoint: str, token: str, **context) -> bool:
    """Mail a link to ``endpoint`` carrying ``token``: it goes to the mailbox only, never a page."""
    link = url_for(endpoint, token=token, _external=True)
    return send_mail(to, subject, render_template(template, link=link, **context))
