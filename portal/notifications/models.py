"""A notification per user and key (sent once, like the reminders), and how each user wants mail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.db import utcnow
from portal.fields import code_field
from portal.vocabulary import Delivery


class Notification(SQLModel, table=True):
    """Something a user was told; (user, key) is unique, so the same event never repeats."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_notification_user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=120)
    kind: str = Field(max_length=40)
    subject: str = Field(max_length=250)
    body: str = Field(default="")
    link_endpoint: str = Field(default="", max_length=80)
    link_args: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None
    # Set when the mail went out (immediately or in a digest); NULL: still to be mailed.
    mailed_at: datetime | None = None


class NotificationPreference(SQLModel, table=True):
    """How a user wants notification mail; a user without a row gets immediate mail."""

    __tablename__ = "notification_preference"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    delivery: str = code_field(Delivery, default=Delivery.IMMEDIATE, max_length=10)
    digest_sent_on: date | None = None
