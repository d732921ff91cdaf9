"""Counters of attempts per bucket and subject in a fixed time window, stored in the database so
they hold across workers and hosts (second-factor codes, password-reset requests).

A subject that is personal data (an IP address) is passed through `hashed()` first, so only a
keyed hash is stored. Writes flush nothing on their own and never commit: the request does.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app
from sqlmodel import Field, Session, SQLModel

from portal.db import utcnow


class RateCounter(SQLModel, table=True):
    """How many attempts a subject made in a bucket since the window started."""

    __tablename__ = "rate_counter"

    bucket: str = Field(primary_key=True, max_length=40)
    subject: str = Field(primary_key=True, max_length=254)
    hits: int = Field(default=0)
    window_started_at: datetime = Field(default_factory=utcnow)


def hashed(value: str) -> str:
    """A keyed hash of a personal value (e.g. an IP address): counts work, the value is not kept."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"rate:{value}".encode(), hashlib.sha256).hexdigest()


def _current(db: Session, bucket: str, subject: str, window: timedelta) -> RateCounter | None:
    counter = db.get(RateCounter, (bucket, subject[:254]))
    if counter is None or utcnow() - counter.window_started_at > window:
        return None
    return counter


def retry_after(db: Session, bucket: str, subject: str, *, limit: int, window: timedelta) -> int:
    """Seconds until the subject may try again in this bucket; 0 when it may try now."""
    counter = _current(db, bucket, subject, window)
    if counter is None or counter.hits < limit:
        return 0
    remaining = counter.window_started_at + window - utcnow()
    return max(1, int(remaining.total_seconds()))


def hit(db: Session, bucket: str, subject: str, *, window: timedelta) -> int:
    """Count one attempt; returns the attempts counted in the current window."""
    counter = db.get(RateCounter, (bucket, subject[:254]))
    now = utcnow()
    if counter is None:
        counter = RateCounter(bucket=bucket, subject=subject[:254], hits=0, window_started_at=now)
    elif now - counter.window_started_at > window:
        counter.hits, counter.window_started_at = 0, now
    counter.hits += 1
    db.add(counter)
    return counter.hits


def clear(db: Session, bucket: str, subject: str) -> None:
    """Forget a subject's attempts in a bucket (a success, or staff lifting a lock)."""
    counter = db.get(RateCounter, (bucket, subject[:254]))
    if counter is not None:
        db.delete(counter)
