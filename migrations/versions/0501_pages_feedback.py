"""content pages (GIGW policies and help, English and Hindi) and public feedback

Revision ID: 0501_pages_feedback
Revises: 0301_cell_types_and_plausibility
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0501_pages_feedback"
down_revision: str | None = "0301_cell_types_and_plausibility"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "content_page",
        sa.Column("title_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body_en", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title_hi", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body_hi", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "slug IN ('privacy', 'terms', 'copyright', 'hyperlinking', 'accessibility', 'help')",
            name=op.f("ck_content_page_slug_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_page")),
        sa.UniqueConstraint("slug", name=op.f("uq_content_page_slug")),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("page_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("ip_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('suggestion', 'problem', 'accessibility', 'content', 'other')",
            name=op.f("ck_feedback_kind_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_created_at"))
    op.drop_table("feedback")
    op.drop_table("content_page")
