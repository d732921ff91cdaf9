"""patents: structured records per technology and the renewal reminders already sent

Revision ID: 0601_patents
Revises: 0105_security_review
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0601_patents"
down_revision: str | None = "0105_security_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JURISDICTIONS = "'IN', 'WO', 'EP', 'US', 'CN', 'JP', 'KR', 'XX'"
STATUSES = "'filed', 'published', 'examination', 'granted', 'lapsed', 'abandoned', 'expired'"


def _text(length: int):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "patent",
        sa.Column("jurisdiction", _text(2), nullable=False),
        sa.Column("application_number", _text(40), nullable=False),
        sa.Column("filing_date", sa.Date(), nullable=False),
        sa.Column("publication_number", _text(40), nullable=False),
        sa.Column("publication_date", sa.Date(), nullable=True),
        sa.Column("grant_number", _text(40), nullable=False),
        sa.Column("grant_date", sa.Date(), nullable=True),
        sa.Column("status", _text(20), nullable=False),
        sa.Column("family", _text(80), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("technology_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(f"jurisdiction IN ({JURISDICTIONS})", name="jurisdiction_valid"),
        sa.CheckConstraint(f"status IN ({STATUSES})", name="status_valid"),
        sa.ForeignKeyConstraint(["technology_id"], ["technology.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("jurisdiction", "application_number", name="uq_patent_application"),
    )
    op.create_index("ix_patent_technology_id", "patent", ["technology_id"])
    op.create_table(
        "patent_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patent_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("threshold", _text(10), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["patent_id"], ["patent.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("patent_id", "due_on", "threshold", name="uq_patent_reminder_once"),
    )
    op.create_index("ix_patent_reminder_patent_id", "patent_reminder", ["patent_id"])


def downgrade() -> None:
    op.drop_index("ix_patent_reminder_patent_id", table_name="patent_reminder")
    op.drop_table("patent_reminder")
    op.drop_index("ix_patent_technology_id", table_name="patent")
    op.drop_table("patent")
