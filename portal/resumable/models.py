"""An unfinished (or just finished) resumable upload: who sends what, how far it has come.

The row lives in the database so any web node can take the next chunk; the bytes are staged in
the storage layer (portal/storage/staging.py) for the same reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column
from sqlmodel import Field, SQLModel

from portal.db import utcnow


class ResumableUpload(SQLModel, table=True):
    """One tus upload: its owner, target dataset, declared length, bytes received and staging."""

    __tablename__ = "resumable_upload"
    __table_args__ = (
        CheckConstraint("offset_bytes >= 0 AND offset_bytes <= length", name="offset_in_range"),
    )

    # The public upload id in /admin/uploads/<id>: 32 random hex characters.
    id: str = Field(primary_key=True, max_length=32)
    owner_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    dataset_id: int = Field(foreign_key="dataset.id", index=True, ondelete="CASCADE")
    filename: str = Field(default="", max_length=255)
    length: int = Field(sa_type=BigInteger)
    offset_bytes: int = Field(default=0, sa_type=BigInteger)
    # Where the staged bytes are: a file (file://) or an S3 multipart upload and its parts.
    staging_name: str = Field(max_length=64)
    staging: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
    finished_at: datetime | None = None
    # The dataset file the finished upload became (the result the page shows).
    file_id: int | None = Field(default=None, foreign_key="dataset_file.id", ondelete="SET NULL")

    @property
    def is_finished(self) -> bool:
        """Every declared byte has arrived and been handed over."""
        return self.finished_at is not None
