"""The audit log's filters and the query they build (newest first)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.sql import Select
from sqlmodel import Session, select

from portal.audit.models import AuditEntry
from portal.dates import INDIA, parse_iso_date
from portal.queryargs import QueryArgs, one, param
from portal.textmatch import clean_search, contains

ACTOR_LENGTH = 254
ACTION_LENGTH = 64


def _start_of(day: date) -> datetime:
    """Midnight in India at the start of ``day`` (the page shows times in IST)."""
    return datetime.combine(day, time.min, INDIA)


@dataclass(frozen=True)
class AuditFilters(QueryArgs):
    """What the staff member asked for: odd text is cleaned, odd dates are ignored."""

    actor: str = param(one(lambda raw: clean_search(raw, ACTOR_LENGTH)))
    action: str = param(one(lambda raw: clean_search(raw, ACTION_LENGTH)))
    since: date | None = param(one(parse_iso_date), None)
    until: date | None = param(one(parse_iso_date), None)


def audit_query(filters: AuditFilters) -> Select:
    """Entries matching every given filter, newest first (``until`` includes that whole day)."""
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if filters.actor:
        query = query.where(contains(filters.actor, AuditEntry.actor_label))
    if filters.action:
        # A prefix picks a family of actions, e.g. "user." for every change to users.
        query = query.where(AuditEntry.action.startswith(filters.action, autoescape=True))
    if filters.since:
        query = query.where(AuditEntry.created_at >= _start_of(filters.since))
    if filters.until:
        query = query.where(AuditEntry.created_at < _start_of(filters.until + timedelta(days=1)))
    return query


def known_actions(db: Session) -> list[str]:
    """Every action the log holds, for the filter's choices."""
    return list(db.exec(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all())
