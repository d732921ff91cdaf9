"""Delivering an invitation: the set-password link goes by mail (and, for now, to the staff page)."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import gettext as _

from portal.accounts.models import User
from portal.mail import send_mail


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
