"""`portal sweep` (persist expiries) and `portal send-reminders` (milestone due-date mail)."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from portal import db
from portal.accounts.token_reminders import send_token_expiry_reminders
from portal.agreements.reminders import send_reminders
from portal.agreements.services import sweep_expired
from portal.dates import EARLIEST, LATEST, in_range, local_today
from portal.patents.renewals import send_renewal_reminders
from portal.resumable.services import sweep_expired_uploads


def _parse_today(value: str | None) -> date:
    if not value:
        return local_today()
    try:
        today = date.fromisoformat(value)
    except ValueError:
        raise click.ClickException(f"--today must be YYYY-MM-DD, not {value!r}") from None
    if not in_range(today):
        raise click.ClickException(
            f"--today must lie between {EARLIEST.isoformat()} and {LATEST.isoformat()}"
        )
    return today


@click.command("sweep")
@click.option("--today", "today_text", help="Pretend today is this date (YYYY-MM-DD).")
@with_appcontext
def sweep_command(today_text: str | None) -> None:
    """Mark active agreements past their expiry date as expired and remove expired resumable
    uploads with their staged bytes (safe to run repeatedly)."""
    today = _parse_today(today_text)
    expired = sweep_expired(db.session(), today)
    uploads = sweep_expired_uploads(db.session())
    db.commit()
    for agreement in expired:
        click.echo(f"expired {agreement.reference} (expiry {agreement.expires_on.isoformat()})")
    click.echo(f"sweep: {len(expired)} agreement(s) expired")
    click.echo(f"sweep: {uploads} expired upload(s) removed")


@click.command("send-reminders")
@click.option("--today", "today_text", help="Pretend today is this date (YYYY-MM-DD).")
@with_appcontext
def send_reminders_command(today_text: str | None) -> None:
    """Mail partners and staff about milestones due in 14, 7 and 1 days, and overdue ones (once
    each), and token owners a week before a token expires."""
    today = _parse_today(today_text)
    run = send_reminders(db.session(), today)
    token_mails = send_token_expiry_reminders(db.session(), today)
    patent_mails = send_renewal_reminders(db.session(), today)
    db.commit()
    click.echo(f"send-reminders: {run.reminders} reminder(s), {run.mails} mail(s) sent")
    click.echo(f"send-reminders: {token_mails} API token expiry mail(s) sent")
    click.echo(f"send-reminders: {patent_mails} patent renewal mail(s) sent")
