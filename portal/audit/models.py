"""The audit trail: who did what to which record, when and from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from portal.db import utcnow
from portal.fields import actor_field


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = actor_field(index=True)
    # A snapshot, so the entry still reads correctly after the user is renamed or removed.
    actor_label: str = Field(default="system", max_length=254)
    ip: str = Field(default="", max_length=45)
    action: str = Field(max_length=64, index=True)
    target_type: str = Field(default="", max_length=40)
    target_id: str = Field(default="", max_length=64)
    target_label: str = Field(default="", max_length=300)
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
