"""Changing one's e-mail address: after re-authentication a link goes to the new address, the old
one is told, and the address changes only when the link is opened (so a typo cannot lock anyone
out, and nobody can move an account to an address they do not read)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session

from portal.accounts import notices
from portal.accounts.links import issue_link, link_for_token, mail_link, use_link
from portal.accounts.models import Invitation, User, normalise_email
from portal.accounts.queries import user_by_email
from portal.accounts.tokens import may_authenticate
from portal.audit.services import record
from portal.changes import audited_change
from portal.errors import ServiceError
from portal.vocabulary import LinkPurpose


def request_email_change(db: Session, user: User, new_email: str) -> str:
    """Mail a confirmation link to the new address and a notice to the current one; returns the
    normalised new address."""
    new = normalise_email(new_email)[:254]
    if new == user.email:
        raise ServiceError(_("That is already your e-mail address."))
    if user_by_email(db, new):
        raise ServiceError(_("Another account uses that e-mail address."))
    hours = current_app.config["EMAIL_CHANGE_VALID_HOURS"]
    token = issue_link(db, user, LinkPurpose.EMAIL_CHANGE, timedelta(hours=hours), new_email=new)
    record(db, "user.email_change_requested", user, changes={"new_email": new})
    mail_link(
        new,
        _("Confirm your new e-mail address – CoE Battery Technology-Transfer Portal"),
        "accounts/email_change_mail.txt",
        "accounts.email_confirm",
        token,
        user=user,
        hours=hours,
    )
    notices.send_security_notice(user, notices.EMAIL_CHANGE_REQUESTED, new_email=new)
    return new


def email_link_for_token(db: Session, token: str) -> Invitation | None:
    """The open e-mail confirmation link behind a token, or None."""
    return link_for_token(db, token, LinkPurpose.EMAIL_CHANGE)


def confirm_email_change(db: Session, link: Invitation) -> User:
    """Make the link's address the user's; the previous address is told. Audited."""
    user = db.get(User, link.user_id)
    if not may_authenticate(user) or not link.new_email:
        raise ServiceError(_("This link is no longer valid."))
    if user_by_email(db, link.new_email):
        raise ServiceError(_("Another account uses that e-mail address now."))
    previous = user.email
    with audited_change(db, user, version=None, action="user.email_changed", watch=("email",)):
        user.email = link.new_email
    use_link(db, link)
    notices.send_security_notice(user, notices.EMAIL_CHANGED, to=previous, new_email=user.email)
    return user
