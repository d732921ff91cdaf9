"""security review: token scopes, expiry and reminder; purposes of mailed links; rate counters

Revision ID: 0105_security_review
Revises: 0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0105_security_review"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tokens made before expiry existed work for the default 90 days from the upgrade.
DEFAULT_TOKEN_DAYS = 90


def upgrade() -> None:
    op.create_table(
        "rate_counter",
        sa.Column("bucket", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "subject", name=op.f("pk_rate_counter")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "scopes",
                sqlmodel.sql.sqltypes.AutoString(length=100),
                nullable=False,
                server_default="read",
            )
        )
        batch_op.add_column(sa.Column("expires_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("expiry_reminded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    api_token = sa.table("api_token", sa.column("expires_on", sa.Date()))
    op.execute(
        api_token.update().values(expires_on=date.today() + timedelta(days=DEFAULT_TOKEN_DAYS))
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.alter_column("expires_on", existing_type=sa.Date(), nullable=False)

    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "purpose",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="invite",
            )
        )
        batch_op.add_column(
            sa.Column("new_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True)
        )
        batch_op.create_check_constraint(
            op.f("ck_invitation_purpose_valid"),
            "purpose IN ('invite', 'password_reset', 'email_change')",
        )


def downgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_invitation_purpose_valid"), type_="check")
        batch_op.drop_column("new_email")
        batch_op.drop_column("purpose")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("expiry_reminded_at")
        batch_op.drop_column("expires_on")
        batch_op.drop_column("scopes")
    op.drop_table("rate_counter")
