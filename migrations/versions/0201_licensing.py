"""licensing: notifications and their preferences; agreement renewals and amendments

Revision ID: 0201_licensing
Revises: 0105_security_review
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0201_licensing"
down_revision: str | None = "0105_security_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=250), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("link_endpoint", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("link_args", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("read_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("mailed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("user_id", "key", name="uq_notification_user_key"),
    )
    op.create_index(op.f("ix_notification_user_id"), "notification", ["user_id"], unique=False)
    op.create_table(
        "notification_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("delivery", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("digest_sent_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "delivery IN ('immediate', 'digest')",
            name=op.f("ck_notification_preference_delivery_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_preference_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_preference")),
    )
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "change_kind",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="",
            )
        )
        batch_op.create_index(batch_op.f("ix_agreement_previous_id"), ["previous_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_agreement_previous_id_agreement"),
            "agreement",
            ["previous_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint(
            "change_kind_valid", "change_kind IN ('', 'renewal', 'amendment')"
        )


def downgrade() -> None:
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_constraint("change_kind_valid", type_="check")
        batch_op.drop_constraint("fk_agreement_previous_id_agreement", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_agreement_previous_id"))
        batch_op.drop_column("change_kind")
        batch_op.drop_column("previous_id")
    op.drop_table("notification_preference")
    op.drop_index(op.f("ix_notification_user_id"), table_name="notification")
    op.drop_table("notification")
