"""Calendar feeds (secret, revocable, hashed) and the iCalendar document of a user's milestones."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from flask import url_for
from icalendar import Calendar, Event
from sqlmodel import Session, select

from portal.accounts.models import User
from portal.accounts.tokens import digest, may_authenticate
from portal.agreements.labels import agreement_label
from portal.agreements.loaders import partner_agreements_clause
from portal.agreements.models import Agreement, Milestone
from portal.audit.services import record
from portal.changes import add_audited
from portal.dates import local_today
from portal.db import utcnow
from portal.partners.models import CalendarFeed
from portal.urls import base_host

SECRET_BYTES = 32


def active_feed(db: Session, user: User) -> CalendarFeed | None:
    """The user's current, unrevoked feed, if any."""
    return db.exec(
        select(CalendarFeed)
        .where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
        .order_by(CalendarFeed.id.desc())
    ).first()


def create_calendar_feed(db: Session, user: User) -> tuple[CalendarFeed, str]:
    """A new secret feed URL for the user; an earlier one stops working. Returns the raw secret once."""
    revoke_calendar_feed(db, user, audit=False)
    raw = secrets.token_urlsafe(SECRET_BYTES)
    feed = CalendarFeed(user_id=user.id, secret_hash=digest(raw))
    add_audited(db, feed, "calendar_feed.created", actor=user, label=user.email)
    return feed, raw


def revoke_calendar_feed(db: Session, user: User, *, audit: bool = True) -> int:
    """Revoke every open feed of the user; the old URL answers 404 from the next request."""
    feeds = db.exec(
        select(CalendarFeed).where(
            CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None)
        )
    ).all()
    for feed in feeds:
        feed.revoked_at = utcnow()
        db.add(feed)
        if audit:
            record(db, "calendar_feed.revoked", feed, label=user.email)
    db.flush()
    return len(feeds)


def user_for_calendar_secret(db: Session, raw: str) -> User | None:
    """The user behind an unrevoked feed secret, or None: the account must still be allowed to
    authenticate (active; no demo account in production mode)."""
    if not raw or len(raw) > 200:
        return None
    row = db.exec(
        select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.secret_hash == digest(raw), CalendarFeed.revoked_at.is_(None))
    ).first()
    return row if may_authenticate(row) else None


def milestones_for(db: Session, user: User) -> list[tuple[Milestone, Agreement]]:
    """The milestones a user's calendar shows: their organisation's, or (staff) their agreements'."""
    if user.is_staff:
        clause = Agreement.responsible_staff_id == user.id
    else:
        clause = partner_agreements_clause(user)
    return list(
        db.exec(
            select(Milestone, Agreement)
            .join(Agreement, Agreement.id == Milestone.agreement_id)
            .where(clause)
            .order_by(Milestone.due_on, Milestone.id)
        ).all()
    )


def build_calendar(rows: list[tuple[Milestone, Agreement]], today: date | None = None) -> bytes:
    """An RFC 5545 calendar with one all-day event per milestone on its due date."""
    today = today or local_today()
    host = base_host() or "portal"
    calendar = Calendar()
    calendar.add("prodid", "-//CoE Battery Technology-Transfer Portal//Milestones//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "CoE Battery milestones")
    stamp = utcnow()
    for milestone, agreement in rows:
        event = Event()
        event.add("uid", f"milestone-{milestone.id}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", milestone.due_on)
        if milestone.due_on < date.max:  # without DTEND an all-day event lasts its one day
            event.add("dtend", milestone.due_on + timedelta(days=1))
        prefix = "OVERDUE: " if milestone.is_overdue(today) else ""
        event.add("summary", f"{prefix}{milestone.title} ({agreement.reference})")
        event.add(
            "description",
            f"Agreement {agreement.reference}; "
            f"status {agreement_label('milestone_status', milestone.status).lower()}; "
            f"responsible: {agreement_label('owner', milestone.owner)}.",
        )
        event.add(
            "url", url_for("agreements.milestone_detail", milestone_id=milestone.id, _external=True)
        )
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
