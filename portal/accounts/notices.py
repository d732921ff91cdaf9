"""Mail telling a user that something changed on their account's security (password, e-mail
address, second factor), so a change they did not make does not go unnoticed."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.audit.services import client_ip
from portal.db import utcnow
from portal.mail import send_mail

PASSWORD_CHANGED = "password_changed"
PASSWORD_RESET = "password_reset"
EMAIL_CHANGE_REQUESTED = "email_change_requested"
EMAIL_CHANGED = "email_changed"
TOTP_ENABLED = "totp_enabled"
TOTP_REPLACED = "totp_replaced"
TOTP_DISABLED = "totp_disabled"
TOTP_RESET_BY_ADMIN = "totp_reset_by_admin"

# event → (subject, what happened)
_TEXTS = {
    PASSWORD_CHANGED: (
        _l("Your password was changed"),
        _l("The password of your account was changed. Every session and API token was ended."),
    ),
    PASSWORD_RESET: (
        _l("Your password was reset"),
        _l(
            "The password of your account was set from a reset link. Every session and API "
            "token was ended."
        ),
    ),
    EMAIL_CHANGE_REQUESTED: (
        _l("A change of your e-mail address was requested"),
        _l(
            "Someone signed in to your account asked to change its e-mail address to "
            "%(new_email)s. It changes only when the link sent to that address is opened."
        ),
    ),
    EMAIL_CHANGED: (
        _l("Your e-mail address was changed"),
        _l("Your account now signs in with %(new_email)s instead of this address."),
    ),
    TOTP_ENABLED: (
        _l("Two-step sign-in is on"),
        _l("Two-step sign-in was turned on for your account."),
    ),
    TOTP_REPLACED: (
        _l("Two-step sign-in moved to a new authenticator"),
        _l(
            "Two-step sign-in of your account now uses a new authenticator app; "
            "the old one no longer works."
        ),
    ),
    TOTP_DISABLED: (
        _l("Two-step sign-in is off"),
        _l("Two-step sign-in was turned off for your account."),
    ),
    TOTP_RESET_BY_ADMIN: (
        _l("An administrator turned off your two-step sign-in"),
        _l(
            "A CoE administrator turned off two-step sign-in for your account (for example "
            "because you lost your phone) and ended your sessions and API tokens."
        ),
    ),
}


def send_security_notice(user: User, event: str, *, to: str | None = None, **details) -> bool:
    """Mail the user (or `to`, e.g. their previous address) that `event` happened just now."""
    subject, what = _TEXTS[event]
    body = render_template(
        "accounts/security_notice_mail.txt",
        user=user,
        what=str(what) % details if details else str(what),
        when=utcnow(),
        ip=client_ip(),
        reset_link=url_for("accounts.password_forgot", _external=True),
        staff_email=current_app.config["STAFF_NOTIFY_EMAIL"],
    )
    return send_mail(to or user.email, str(subject), body)
