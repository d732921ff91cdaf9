"""Forgot password: a single-use link, valid for an hour, mailed to the account's address.

The answer never says whether an account uses the address. Requests are counted per IP address
(every request, so the limit itself tells nothing) and per e-mail address (past its limit no
more mail goes out, silently). Using the link is `links.set_password_from_link`: it ends every
session and API token, and a user with a second factor still needs a current code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session

from portal import ratelimit
from portal.accounts.links import issue_link, link_for_token, mail_link
from portal.accounts.models import Invitation, normalise_email
from portal.accounts.queries import user_by_email
from portal.accounts.tokens import may_authenticate
from portal.audit.services import record
from portal.vocabulary import LinkPurpose

IP_BUCKET = "password-reset-ip"
ADDRESS_BUCKET = "password-reset-address"
WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class ResetRequest:
    """Whether the request was refused for now (too many from this IP address)."""

    throttled: bool = False
    retry_after_s: int = 0


def request_password_reset(db: Session, email: str, ip: str) -> ResetRequest:
    """Mail a reset link if the address belongs to an account that may sign in; audited."""
    config = current_app.config
    ip_key = ratelimit.hashed(f"ip:{ip}")
    wait = ratelimit.retry_after(
        db, IP_BUCKET, ip_key, limit=config["PASSWORD_RESETS_PER_IP_PER_HOUR"], window=WINDOW
    )
    if wait:
        return ResetRequest(throttled=True, retry_after_s=wait)
    ratelimit.hit(db, IP_BUCKET, ip_key, window=WINDOW)

    typed = " ".join(str(email or "").split())[:254]
    key = normalise_email(typed)
    address_hits = ratelimit.hit(
        db, ADDRESS_BUCKET, ratelimit.hashed(f"email:{key}"), window=WINDOW
    )
    user = user_by_email(db, key)
    mailed = False
    if (
        user is not None
        and may_authenticate(user)
        and address_hits <= config["PASSWORD_RESETS_PER_ADDRESS_PER_HOUR"]
    ):
        minutes = config["PASSWORD_RESET_VALID_MINUTES"]
        token = issue_link(db, user, LinkPurpose.PASSWORD_RESET, timedelta(minutes=minutes))
        mailed = mail_link(
            user.email,
            _("Set a new password – CoE Battery Technology-Transfer Portal"),
            "accounts/password_reset_mail.txt",
            "accounts.password_reset",
            token,
            user=user,
            minutes=minutes,
        )
    record(
        db,
        "user.password_reset_requested",
        user,
        label=typed,
        changes={"email": typed, "mailed": mailed},
    )
    return ResetRequest()


def reset_link_for_token(db: Session, token: str) -> Invitation | None:
    """The open reset link behind a token, or None."""
    return link_for_token(db, token, LinkPurpose.PASSWORD_RESET)
