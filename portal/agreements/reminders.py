"""Milestone reminders: who is mailed about what, when, and the run that sends them once each.

The rules: a milestone still waiting on someone's work (planned, in progress or rejected) of a
signed or effectively active agreement is mailed 14, 7 and 1 days before it is due and once more
when it is overdue, to the partner organisation's active users and the responsible staff member
(or the team address). A new rule is an edit here only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, or_
from sqlmodel import Session, select

from portal import urls
from portal.accounts.models import Organization, User
from portal.agreements.models import Agreement, Milestone, MilestoneReminder
from portal.agreements.status import live_agreement_clause
from portal.audit.services import record
from portal.dates import days_band, local_today
from portal.mail import send_mail
from portal.vocabulary import MilestoneStatus

# Reminders go out for milestones still waiting on someone's work (submitted ones wait on review).
REMINDABLE = (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS, MilestoneStatus.REJECTED)
REMINDER_DAYS = (14, 7, 1)
OVERDUE = "overdue"
MAIL_TEMPLATE = "agreements/reminder_mail.txt"


def reminder_threshold(due_on: date, today: date) -> str | None:
    """Which reminder a milestone due on `due_on` is in for: "14", "7", "1", "overdue" or None."""
    if due_on < today:
        return OVERDUE
    band = days_band(due_on, today, REMINDER_DAYS)
    return None if band is None else str(band)


@dataclass
class Reminder:
    milestone: Milestone
    agreement: Agreement
    organization: Organization
    threshold: str
    recipients: list[str]


def _mail_addresses(
    db: Session, rows: list[tuple[Milestone, Agreement, Organization]]
) -> tuple[dict[int, list[str]], dict[int, str]]:
    """Active partner users' addresses by organisation, and staff addresses by user id."""
    org_ids = {o.id for _m, _a, o in rows}
    staff_ids = {a.responsible_staff_id for _m, a, _o in rows if a.responsible_staff_id}
    people = db.exec(
        select(User).where(
            User.is_active,
            or_(
                and_(User.role == "partner", User.organization_id.in_(org_ids)),
                User.id.in_(staff_ids or {0}),
            ),
        )
    ).all()
    partner_mails: dict[int, list[str]] = defaultdict(list)
    staff_mails: dict[int, str] = {}
    for person in people:
        if person.is_partner:
            partner_mails[person.organization_id].append(person.email)
        else:
            staff_mails[person.id] = person.email
    return partner_mails, staff_mails


def pending_reminders(db: Session, today: date | None = None) -> list[Reminder]:
    """Reminders due today that were not sent before (a bounded number of queries)."""
    today = today or local_today()
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    rows = db.exec(
        select(Milestone, Agreement, Organization)
        .join(Agreement, Agreement.id == Milestone.agreement_id)
        .join(Organization, Organization.id == Agreement.organization_id)
        .where(
            live_agreement_clause(today),
            Milestone.status.in_(REMINDABLE),
            Milestone.due_on <= horizon,
        )
        .order_by(Milestone.due_on, Milestone.id)
    ).all()
    if not rows:
        return []
    sent = set(
        db.exec(
            select(MilestoneReminder.milestone_id, MilestoneReminder.threshold).where(
                MilestoneReminder.milestone_id.in_([m.id for m, _a, _o in rows])
            )
        ).all()
    )
    partner_mails, staff_mails = _mail_addresses(db, rows)
    fallback = current_app.config["STAFF_NOTIFY_EMAIL"]
    reminders = []
    for milestone, agreement, organization in rows:
        threshold = reminder_threshold(milestone.due_on, today)
        if threshold is None or (milestone.id, threshold) in sent:
            continue
        staff = staff_mails.get(agreement.responsible_staff_id or 0) or fallback
        recipients = sorted(
            set(partner_mails.get(organization.id, [])) | ({staff} if staff else set())
        )
        reminders.append(Reminder(milestone, agreement, organization, threshold, recipients))
    return reminders


def mark_reminded(db: Session, reminder: Reminder, delivered: int) -> None:
    """Record that a reminder went out, so the next run skips it."""
    db.add(
        MilestoneReminder(
            milestone_id=reminder.milestone.id, threshold=reminder.threshold, recipients=delivered
        )
    )
    record(
        db,
        "milestone.reminder_sent",
        reminder.milestone,
        changes={"threshold": reminder.threshold, "recipients": delivered},
    )


def reminder_subject(reminder: Reminder, today: date) -> str:
    """The mail's subject line: overdue, or due in so many days."""
    ref, title = reminder.agreement.reference, reminder.milestone.title
    if reminder.threshold == OVERDUE:
        return _("Overdue: %(title)s (%(ref)s)", title=title, ref=ref)
    return _(
        "Due in %(days)s day(s): %(title)s (%(ref)s)",
        days=(reminder.milestone.due_on - today).days,
        title=title,
        ref=ref,
    )


def external_url(base_url: str, endpoint: str, **values) -> str:
    """An absolute link on the portal's public address, built outside any request."""
    parts = urlsplit(base_url)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


@dataclass
class ReminderRun:
    reminders: int = 0
    mails: int = 0


def send_reminders(db: Session, today: date | None = None) -> ReminderRun:
    """Mail every pending reminder; one that no recipient received is tried again next run."""
    today = today or local_today()
    base_url = urls.base_url()
    run = ReminderRun()
    # Outside a request no browser chooses the language: mail goes out in the default one.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        # Straight from the Jinja environment: request context processors do not apply here.
        template = current_app.jinja_env.get_template(MAIL_TEMPLATE)
        for reminder in pending_reminders(db, today):
            link = external_url(
                base_url, "agreements.milestone_detail", milestone_id=reminder.milestone.id
            )
            subject = reminder_subject(reminder, today)
            body = template.render(r=reminder, today=today, link=link)
            delivered = sum(
                1 for address in reminder.recipients if send_mail(address, subject, body)
            )
            if delivered:
                mark_reminded(db, reminder, delivered)
                run.reminders += 1
                run.mails += delivered
    return run
