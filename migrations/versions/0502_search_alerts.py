"""saved-search alerts: an e-mail address following a filtered catalog address

Revision ID: 0502_search_alerts
Revises: 0501_pages_feedback
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0502_search_alerts"
down_revision: str | None = "0501_pages_feedback"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("query", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("secret_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("checked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email", "query", name="uq_search_alert_email_query"),
        sa.UniqueConstraint("secret_hash", name="uq_search_alert_secret_hash"),
    )
    op.create_index("ix_search_alert_email", "search_alert", ["email"])


def downgrade() -> None:
    op.drop_index("ix_search_alert_email", table_name="search_alert")
    op.drop_table("search_alert")
