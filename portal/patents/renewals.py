"""When each patent next needs money or action, and the run that reminds staff once each.

The rules, per office (a new office is an edit here only):
- India, Europe: a renewal fee every year from the third, on the anniversary of the filing
  date, while the application or patent is alive (20-year term).
- United States: maintenance fees 3½, 7½ and 11½ years after grant.
- China, Japan, Korea and other offices: a yearly annuity on the filing anniversary once granted.
- PCT (WIPO): no renewal fees; national-phase entry is due 30 months after filing.
Staff are mailed 60, 30 and 7 days before a date; each (patent, date, threshold) once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from portal.audit.services import record
from portal.catalog.models import Technology
from portal.dates import add_months
from portal.mail import send_mail
from portal.patents.models import LIVE_STATUSES, Patent, PatentReminder
from portal.vocabulary import Jurisdiction

TERM_YEARS = 20
REMINDER_DAYS = (60, 30, 7)
YEARLY_FROM_FILING = (Jurisdiction.IN, Jurisdiction.EP)
US_MAINTENANCE_MONTHS = (42, 90, 138)
PCT_NATIONAL_PHASE_MONTHS = 30


@dataclass(frozen=True)
class Due:
    on: date
    what: object  # a lazy label: "renewal fee", "maintenance fee", "national-phase entry"


def _anniversaries(filed: date, first_year: int):
    for years in range(first_year, TERM_YEARS):
        yield add_months(filed, 12 * years)


def next_due(patent: Patent, today: date) -> Due | None:
    """The next fee or deadline of a live patent on or after ``today``, or None."""
    if patent.status not in LIVE_STATUSES:
        return None
    if patent.jurisdiction == Jurisdiction.WO:
        deadline = add_months(patent.filing_date, PCT_NATIONAL_PHASE_MONTHS)
        return Due(deadline, _l("national-phase entry")) if deadline >= today else None
    if patent.jurisdiction == Jurisdiction.US:
        if patent.grant_date is None:
            return None
        dates = (add_months(patent.grant_date, months) for months in US_MAINTENANCE_MONTHS)
        return next((Due(on, _l("maintenance fee")) for on in dates if on >= today), None)
    if patent.jurisdiction in YEARLY_FROM_FILING:
        dates = _anniversaries(patent.filing_date, 2)
    elif patent.grant_date is not None:
        dates = (on for on in _anniversaries(patent.filing_date, 1) if on >= patent.grant_date)
    else:
        return None
    return next((Due(on, _l("renewal fee")) for on in dates if on >= today), None)


def upcoming(
    db: Session, today: date, within_days: int = 90
) -> list[tuple[Patent, Technology, Due]]:
    """Live patents with a fee or deadline in the next ``within_days`` days, soonest first."""
    rows = db.exec(
        select(Patent, Technology)
        .join(Technology, Technology.id == Patent.technology_id)
        .where(Patent.status.in_(LIVE_STATUSES))
    ).all()
    horizon = today + timedelta(days=within_days)
    found = [
        (patent, technology, due)
        for patent, technology in rows
        if (due := next_due(patent, today)) is not None and due.on <= horizon
    ]
    return sorted(found, key=lambda row: (row[2].on, row[0].id))


def _threshold(due_on: date, today: date) -> str | None:
    days = (due_on - today).days
    return next((str(limit) for limit in sorted(REMINDER_DAYS) if 0 <= days <= limit), None)


def send_renewal_reminders(db: Session, today: date) -> int:
    """Mail the CoE team about fees and deadlines 60, 30 and 7 days ahead; returns mails sent."""
    address = current_app.config.get("STAFF_NOTIFY_EMAIL")
    sent = 0
    for patent, technology, due in upcoming(db, today, max(REMINDER_DAYS)):
        threshold = _threshold(due.on, today)
        if threshold is None or not address:
            continue
        key = {"patent_id": patent.id, "due_on": due.on, "threshold": threshold}
        if db.exec(select(PatentReminder).filter_by(**key)).first() is not None:
            continue
        subject = _(
            "Patent %(number)s: %(what)s due %(day)s",
            number=f"{patent.jurisdiction} {patent.application_number}",
            what=due.what,
            day=due.on.strftime("%d-%m-%Y"),
        )
        body = _(
            "The %(what)s of %(patent)s (technology: %(title)s) is due on %(day)s.",
            what=due.what,
            patent=patent.one_line(),
            title=technology.title,
            day=due.on.strftime("%d-%m-%Y"),
        )
        if send_mail(address, subject, body):
            db.add(PatentReminder(**key))
            record(db, "patent.reminded", patent, changes={"due_on": due.on, "days": threshold})
            sent += 1
    db.flush()
    return sent
