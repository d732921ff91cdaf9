"""resumable uploads: one row per tus upload (owner, dataset, length, offset, staging state)

Revision ID: 0801_resumable_uploads
Revises: 0502_search_alerts
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0801_resumable_uploads"
down_revision: str | None = "0502_search_alerts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sqlmodel.sql.sqltypes.UTCDateTime


def _text(length: int):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "resumable_upload",
        sa.Column("id", _text(32), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("filename", _text(255), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("offset_bytes", sa.BigInteger(), nullable=False),
        sa.Column("staging_name", _text(64), nullable=False),
        sa.Column("staging", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("expires_at", UTC(), nullable=False),
        sa.Column("finished_at", UTC(), nullable=True),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("offset_bytes >= 0 AND offset_bytes <= length", name="offset_in_range"),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["file_id"], ["dataset_file.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_resumable_upload_owner_id", "resumable_upload", ["owner_id"])
    op.create_index("ix_resumable_upload_dataset_id", "resumable_upload", ["dataset_id"])
    op.create_index("ix_resumable_upload_expires_at", "resumable_upload", ["expires_at"])


def downgrade() -> None:
    op.drop_table("resumable_upload")
