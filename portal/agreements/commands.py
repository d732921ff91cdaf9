"""`portal sweep` (persist expiries) and `portal send-reminders` (milestone due-date mail)."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from portal import db
from portal.agreements.jobs import send_all_reminders
from portal.agreements.services import sweep_expired
from portal.dates import EARLIEST, LATEST, in_range, local_today
from portal.notifications.digest import send_digests
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
    each), token owners a week before a token expires, partners and staff 90/30/7 days before an
    agreement expires and when a grant lapses, then the daily notification digests."""
    today = _parse_today(today_text)
    run = send_all_reminders(db.session(), today)
    db.commit()
    # After the commit: the day's notifications above are in the digest too.
    digests = send_digests(db.session(), today)
    db.commit()
    click.echo(f"send-reminders: {run.reminders} reminder(s), {run.mails} mail(s) sent")
    click.echo(f"send-reminders: {run.token_mails} API token expiry mail(s) sent")
    click.echo(f"send-reminders: {run.patent_mails} patent renewal mail(s) sent")
    click.echo(
        f"send-reminders: {run.expiry} expiry warning(s), {run.lapsed} lapsed-grant notice(s)"
    )
    click.echo(f"send-reminders: {run.alerts} saved-search alert mail(s) sent")
    click.echo(f"send-reminders: {digests} notification digest(s) sent")
