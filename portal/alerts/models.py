"""One e-mail address following one filtered catalog address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.db import utcnow


class SearchAlert(SQLModel, table=True):
    """Unconfirmed until the link mailed to the address is used; only its secret's hash is kept."""

    __tablename__ = "search_alert"
    __table_args__ = (UniqueConstraint("email", "query", name="uq_search_alert_email_query"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    # The catalog's canonical query string (CatalogFilters.to_args, without page and sort).
    query: str = Field(default="", max_length=1000)
    secret_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    confirmed_at: datetime | None = None
    # Technologies listed after this moment are "new" for the next mail.
    checked_at: datetime = Field(default_factory=utcnow)
    last_sent_at: datetime | None = None
