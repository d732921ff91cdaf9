"""The daily jobs of agreements: persist expiries (sweep) and mail reminders.

The commands `portal sweep` and `portal send-reminders` and the queue's scheduler (celery beat)
run the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from portal import db
from portal.accounts.token_reminders import send_token_expiry_reminders
from portal.agreements.notices import send_expiry_warnings
from portal.agreements.reminders import send_reminders
from portal.agreements.services import sweep_expired
from portal.alerts.services import send_weekly_alerts
from portal.datasets.grant_notices import send_lapse_notices
from portal.dates import local_today
from portal.notifications.digest import send_digests
from portal.patents.renewals import send_renewal_reminders
from portal.resumable.services import sweep_expired_uploads


@dataclass(frozen=True)
class ReminderRun:
    """How many reminders and mails one run sent."""

    reminders: int
    mails: int
    token_mails: int
    patent_mails: int
    expiry: int
    lapsed: int
    alerts: int


def send_all_reminders(session: Session, today: date) -> ReminderRun:
    """Milestone, API-token and patent reminders, agreement-expiry warnings and lapsed-grant
    notices due today (each sent once); the digests go after these commit."""
    run = send_reminders(session, today)
    token_mails = send_token_expiry_reminders(session, today)
    patent_mails = send_renewal_reminders(session, today)
    expiry = send_expiry_warnings(session, today)
    lapsed = send_lapse_notices(session, today)
    alerts = send_weekly_alerts(session)
    return ReminderRun(run.reminders, run.mails, token_mails, patent_mails, expiry, lapsed, alerts)


def send_reminders_job(today: str | None = None) -> str:
    """The scheduled reminders job (today unless an ISO date is given)."""
    day = _day(today)
    run = send_all_reminders(db.session(), day)
    db.commit()
    digests = send_digests(db.session(), day)
    db.commit()
    return (
        f"{run.reminders} reminder(s), {run.mails} mail(s), {run.token_mails} token mail(s), "
        f"{run.patent_mails} patent mail(s), {run.expiry} expiry warning(s), "
        f"{run.lapsed} lapse notice(s), {run.alerts} search alert(s), {digests} digest(s)"
    )


def sweep_job(today: str | None = None) -> str:
    """The scheduled sweep job: active agreements past their expiry become expired, and expired
    resumable uploads go with their staged bytes (as `portal sweep` does)."""
    expired = sweep_expired(db.session(), _day(today))
    uploads = sweep_expired_uploads(db.session())
    db.commit()
    return f"{len(expired)} agreement(s) expired, {uploads} expired upload(s) removed"


def _day(today: str | None) -> date:
    return date.fromisoformat(today) if today else local_today()
