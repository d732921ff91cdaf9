"""Per-user calendar feeds: a secret URL whose hash alone is stored."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal.db import utcnow


class CalendarFeed(SQLModel, table=True):
    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    secret_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
