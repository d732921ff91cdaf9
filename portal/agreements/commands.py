"""`portal sweep` (persist expiries) and `portal send-reminders` (milestone due-date mail)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from portal import db
from portal.agreements import services
from portal.mail import send_mail


def _parse_today(value: str | None) -> date:
    if not value:
        return services.local_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.ClickException(f"--today must be YYYY-MM-DD, not {value!r}") from None


@click.command("sweep")
@click.option("--today", "today_text", help="Pretend today is this date (YYYY-MM-DD).")
@with_appcontext
def sweep_command(today_text: str | None) -> None:
    """Mark active agreements past their expiry date as expired (safe to run repeatedly)."""
    today = _parse_today(today_text)
    session = db.session()
    expired = services.sweep_expired(session, today)
    session.commit()
    for agreement in expired:
        click.echo(f"expired {agreement.reference} (expiry {agreement.expires_on.isoformat()})")
    click.echo(f"sweep: {len(expired)} agreement(s) expired")


@click.command("send-reminders")
@click.option("--today", "today_text", help="Pretend today is this date (YYYY-MM-DD).")
@with_appcontext
def send_reminders_command(today_text: str | None) -> None:
    """Mail partners and staff about milestones due in 14, 7 and 1 days, and overdue ones (once each)."""
    today = _parse_today(today_text)
    session = db.session()
    base_url = current_app.config["BASE_URL"].rstrip("/")
    sent_mails = 0
    reminded = 0
    # Outside a request no browser chooses the language: mail goes out in the default one.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        template = current_app.jinja_env.get_template("agreements/reminder_mail.txt")
        for reminder in services.pending_reminders(session, today):
            subject = _reminder_subject(reminder, today)
            link = external_url(
                base_url, "agreements.milestone_detail", milestone_id=reminder.milestone.id
            )
            # Straight from the Jinja environment: request context processors do not apply here.
            body = template.render(r=reminder, today=today, link=link)
            delivered = sum(
                1 for address in reminder.recipients if send_mail(address, subject, body)
            )
            if delivered:  # undelivered reminders are tried again on the next run
                services.mark_reminded(session, reminder, delivered)
                reminded += 1
                sent_mails += delivered
    session.commit()
    click.echo(f"send-reminders: {reminded} reminder(s), {sent_mails} mail(s) sent")


def external_url(base_url: str, endpoint: str, **values) -> str:
    """An absolute link on the portal's public address, built outside any request."""
    parts = urlsplit(base_url)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def _reminder_subject(reminder: services.Reminder, today: date) -> str:
    ref, title = reminder.agreement.reference, reminder.milestone.title
    if reminder.threshold == "overdue":
        return _("Overdue: %(title)s (%(ref)s)", title=title, ref=ref)
    return _(
        "Due in %(days)s day(s): %(title)s (%(ref)s)",
        days=(reminder.milestone.due_on - today).days,
        title=title,
        ref=ref,
    )
