"""royalties: terms on the agreement (minimum annual royalty, reporting period), reports, payments

Revision ID: 0602_royalties
Revises: 0601_patents
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0602_royalties"
down_revision: str | None = "0601_patents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sqlmodel.sql.sqltypes.UTCDateTime


def _text(length: int):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("agreement") as batch:
        batch.add_column(sa.Column("minimum_annual_royalty_inr", sa.Numeric(14, 2), nullable=True))
        batch.add_column(
            sa.Column("royalty_period", _text(12), nullable=False, server_default="quarterly")
        )
    op.create_table(
        "royalty_report",
        sa.Column("units_sold", sa.Integer(), nullable=False),
        sa.Column("net_sales_inr", sa.Numeric(16, 2), nullable=False),
        sa.Column("note", _text(2000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("rate_pct", sa.Numeric(5, 2), nullable=True),
        sa.Column("royalty_inr", sa.Numeric(16, 2), nullable=False),
        sa.Column("minimum_topup_inr", sa.Numeric(16, 2), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", UTC(), nullable=False),
        sa.CheckConstraint("period_end >= period_start", name="period_order"),
        sa.CheckConstraint("net_sales_inr >= 0 AND units_sold >= 0", name="not_negative"),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agreement_id", "period_start", name="uq_royalty_report_period"),
    )
    op.create_index("ix_royalty_report_agreement_id", "royalty_report", ["agreement_id"])
    op.create_table(
        "royalty_payment",
        sa.Column("amount_inr", sa.Numeric(16, 2), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("reference", _text(80), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["royalty_report.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_royalty_payment_report_id", "royalty_payment", ["report_id"])


def downgrade() -> None:
    op.drop_index("ix_royalty_payment_report_id", table_name="royalty_payment")
    op.drop_table("royalty_payment")
    op.drop_index("ix_royalty_report_agreement_id", table_name="royalty_report")
    op.drop_table("royalty_report")
    with op.batch_alter_table("agreement") as batch:
        batch.drop_column("royalty_period")
        batch.drop_column("minimum_annual_royalty_inr")
