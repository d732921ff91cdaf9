"""ingest on a job queue: queued and running files, their progress and which run holds them

Revision ID: 0701_jobs
Revises: 0602_royalties
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0701_jobs"
# Chained after the head main had when this was written (0601_patents); the lead re-chains.
down_revision: str | None = "0602_royalties"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = "status IN ('pending', 'ingested', 'failed')"
NEW_STATUSES = "status IN ('pending', 'queued', 'running', 'ingested', 'failed')"


def upgrade() -> None:
    with op.batch_alter_table("dataset_file", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("job_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(
            sa.Column("attempt_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(
            sa.Column("progress_percent", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("rows_read", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("job_updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.drop_constraint(op.f("ck_dataset_file_status_valid"), type_="check")
        batch_op.create_check_constraint("status_valid", NEW_STATUSES)
    with op.batch_alter_table("dataset_file", schema=None) as batch_op:
        batch_op.alter_column("progress_percent", server_default=None)


def downgrade() -> None:
    # Files still waiting for a job cannot be represented before this revision: they fail.
    op.execute(
        "UPDATE dataset_file SET status = 'failed', error_message = 'Ingest interrupted by a "
        "downgrade.' WHERE status IN ('queued', 'running')"
    )
    with op.batch_alter_table("dataset_file", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_dataset_file_status_valid"), type_="check")
        batch_op.create_check_constraint("status_valid", OLD_STATUSES)
        batch_op.drop_column("job_updated_at")
        batch_op.drop_column("rows_read")
        batch_op.drop_column("progress_percent")
        batch_op.drop_column("attempt_id")
        batch_op.drop_column("job_id")
