"""What a user's notification list shows (views and panels build no SQL)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from portal.notifications.models import Notification

RECENT = 10


@dataclass
class Inbox:
    items: list[Notification]
    unread: int
    total: int


def inbox_of(db: Session, user_id: int, limit: int | None = RECENT) -> Inbox:
    """The user's newest notifications, with the unread and total counts (three queries)."""
    query = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    if limit:
        query = query.limit(limit)
    unread = db.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ).one()
    total = db.exec(
        select(func.count()).select_from(Notification).where(Notification.user_id == user_id)
    ).one()
    return Inbox(list(db.exec(query).all()), unread, total)
