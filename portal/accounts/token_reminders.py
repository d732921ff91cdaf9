"""The "your API token expires soon" mail: once per token, a week before its last day.

`send_token_expiry_reminders(db, today)` is the whole job (safe to repeat: a sent reminder is
recorded on the token); `portal send-reminders` runs it, and a job queue may schedule it alone.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session, select

from portal.accounts.models import ApiToken, User
from portal.accounts.tokens import may_authenticate
from portal.audit.services import record
from portal.dates import local_today
from portal.db import utcnow
from portal.mail import send_mail

REMIND_DAYS_BEFORE = 7
MAIL_TEMPLATE = "accounts/token_expiry_mail.txt"


def tokens_expiring_soon(db: Session, today: date) -> list[tuple[ApiToken, User]]:
    """Live tokens whose last day is within the reminder horizon and that were not reminded."""
    horizon = today + timedelta(days=REMIND_DAYS_BEFORE)
    return list(
        db.exec(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(
                ApiToken.revoked_at.is_(None),
                ApiToken.expiry_reminded_at.is_(None),
                ApiToken.expires_on >= today,
                ApiToken.expires_on <= horizon,
                User.is_active,
            )
            .order_by(ApiToken.expires_on, ApiToken.id)
        ).all()
    )


def send_token_expiry_reminders(db: Session, today: date | None = None) -> int:
    """Mail each owner whose token expires within a week, once per token; returns mails sent.

    A mail that could not be delivered is tried again on the next run.
    """
    today = today or local_today()
    sent = 0
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        template = current_app.jinja_env.get_template(MAIL_TEMPLATE)
        for token, user in tokens_expiring_soon(db, today):
            if not may_authenticate(user):
                continue
            body = template.render(
                user=user,
                token=token,
                days=(token.expires_on - today).days,
                link=url_for("partners.tokens", _external=True),
            )
            subject = _("Your API token “%(name)s” expires soon", name=token.name)
            if send_mail(user.email, " ".join(subject.split()), body):
                token.expiry_reminded_at = utcnow()
                db.add(token)
                record(db, "api_token.expiry_reminded", token, label=f"{user.email}: {token.name}")
                sent += 1
    db.flush()
    return sent
