"""Outgoing mail through SMTP (PORTAL_SMTP_URL), or to the log when no server is configured."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import current_app

from portal.logging_setup import UNREDACTED

log = logging.getLogger("portal.mail")


def send_mail(to: list[str] | str, subject: str, body: str) -> bool:
    """Send a plain-text mail; returns False (and logs why) when it could not be delivered."""
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        return False
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(body)

    url = current_app.config["SMTP_URL"]
    if not url:
        # Development reads its mail (and the links in it) here; production masks the links.
        development = current_app.config["PORTAL_ENV"] != "production"
        log.info(
            "mail (PORTAL_SMTP_URL unset, not sent) to=%s subject=%s\n%s",
            recipients,
            subject,
            body,
            extra={UNREDACTED: development},
        )
        return True
    parts = urlsplit(url)
    try:
        smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
        with smtp_class(parts.hostname or "127.0.0.1", parts.port or 25, timeout=10) as smtp:
            if parts.scheme == "smtp+starttls":
                smtp.starttls()
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.error("mail to %s failed: %s", recipients, type(error).__name__)
        return False
    log.info("mail sent to=%s subject=%s", recipients, subject)
    return True
