"""catalog: technologies (applications as a bit set), inquiries and notes, full-text search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Full-text search objects (a frozen copy of portal.catalog.models.search_ddl).
PG_SEARCH_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.summary, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.description, '')), 'C')"
)
SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE technology_fts USING fts5(title, summary, description, "
    "content='technology', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER technology_fts_insert AFTER INSERT ON technology BEGIN "
    "INSERT INTO technology_fts(rowid, title, summary, description) "
    "VALUES (new.id, new.title, new.summary, new.description); END",
    "CREATE TRIGGER technology_fts_delete AFTER DELETE ON technology BEGIN "
    "INSERT INTO technology_fts(technology_fts, rowid, title, summary, description) "
    "VALUES ('delete', old.id, old.title, old.summary, old.description); END",
    "CREATE TRIGGER technology_fts_update "
    "AFTER UPDATE OF title, summary, description ON technology BEGIN "
    "INSERT INTO technology_fts(technology_fts, rowid, title, summary, description) "
    "VALUES ('delete', old.id, old.title, old.summary, old.description); "
    "INSERT INTO technology_fts(rowid, title, summary, description) "
    "VALUES (new.id, new.title, new.summary, new.description); END",
    # Index whatever rows exist already (none on a fresh install).
    "INSERT INTO technology_fts(technology_fts) VALUES ('rebuild')",
)
SQLITE_SEARCH_DROP = (
    "DROP TRIGGER IF EXISTS technology_fts_update",
    "DROP TRIGGER IF EXISTS technology_fts_delete",
    "DROP TRIGGER IF EXISTS technology_fts_insert",
    "DROP TABLE IF EXISTS technology_fts",
)


def _search_statements(drop: bool = False) -> tuple[str, ...]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_SEARCH_DROP if drop else SQLITE_SEARCH
    if dialect == "postgresql":
        if drop:
            return ("DROP INDEX IF EXISTS ix_technology_fts_document",)
        return (
            "CREATE INDEX ix_technology_fts_document ON technology "
            f"USING gin (({PG_SEARCH_DOCUMENT}))",
        )
    return ()


def upgrade() -> None:
    op.create_table(
        "technology",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("is_published", sa.Boolean(), nullable=False),
        sa.Column("is_archived", sa.Boolean(), nullable=False),
        sa.Column("chemistry", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("licensing_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("trl", sa.Integer(), nullable=False),
        sa.Column("applications_mask", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("ip_status", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("patent_refs", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("specific_energy_wh_per_kg", sa.Float(), nullable=True),
        sa.Column("energy_density_wh_per_l", sa.Float(), nullable=True),
        sa.Column("cycle_life", sa.Integer(), nullable=True),
        sa.Column("max_c_rate", sa.Float(), nullable=True),
        sa.Column("nominal_voltage_v", sa.Float(), nullable=True),
        sa.Column("capacity_ah", sa.Float(), nullable=True),
        sa.Column("cost_inr_per_kwh", sa.Integer(), nullable=True),
        sa.Column("throughput_units_per_hour", sa.Float(), nullable=True),
        sa.Column("indigenous_content_pct", sa.Float(), nullable=True),
        sa.Column("contact_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("contact_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("advantage", sa.Text(), nullable=False),
        sa.Column("applications_text", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "category IN ('cell', 'materials', 'process', 'equipment', 'bms', 'recycling', 'testing')",
            name=op.f("ck_technology_category_valid"),
        ),
        sa.CheckConstraint(
            "chemistry IN ('li_ion', 'na_ion', 'li_polymer', 'other')",
            name=op.f("ck_technology_chemistry_valid"),
        ),
        sa.CheckConstraint(
            "licensing_status IN ('available', 'licensed', 'not_available')",
            name=op.f("ck_technology_licensing_status_valid"),
        ),
        sa.CheckConstraint(
            "indigenous_content_pct IS NULL OR indigenous_content_pct BETWEEN 0 AND 100",
            name=op.f("ck_technology_indigenous_content_pct_range"),
        ),
        sa.CheckConstraint("trl BETWEEN 1 AND 9", name=op.f("ck_technology_trl_range")),
        sa.CheckConstraint(
            "applications_mask BETWEEN 0 AND 15", name=op.f("ck_technology_applications_mask_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technology")),
        sa.UniqueConstraint("slug", name=op.f("uq_technology_slug")),
    )
    with op.batch_alter_table("technology", schema=None) as batch_op:
        batch_op.create_index(
            "ix_technology_facets",
            [
                "is_published",
                "is_archived",
                "chemistry",
                "category",
                "licensing_status",
                "trl",
                "applications_mask",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_technology_listing", ["is_published", "is_archived", "published_at"], unique=False
        )

    op.create_table(
        "inquiry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("technology_id", sa.Integer(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column(
            "organization_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False
        ),
        sa.Column("interest", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("ip_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "interest IN ('licensing', 'co_development', 'testing_services', 'dataset_access')",
            name=op.f("ck_inquiry_interest_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('new', 'contacted', 'in_discussion', 'converted', 'closed')",
            name=op.f("ck_inquiry_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_inquiry_organization_id_organization"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["technology_id"],
            ["technology.id"],
            name=op.f("fk_inquiry_technology_id_technology"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry")),
    )
    with op.batch_alter_table("inquiry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inquiry_ip_hash_created_at", ["ip_hash", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_inquiry_status_created_at", ["status", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inquiry_technology_id"), ["technology_id"], unique=False
        )

    op.create_table(
        "inquiry_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_label", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_inquiry_note_author_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiry.id"],
            name=op.f("fk_inquiry_note_inquiry_id_inquiry"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_note")),
    )
    with op.batch_alter_table("inquiry_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inquiry_note_inquiry_id"), ["inquiry_id"], unique=False
        )

    for statement in _search_statements():
        op.execute(statement)


def downgrade() -> None:
    for statement in _search_statements(drop=True):
        op.execute(statement)
    with op.batch_alter_table("inquiry_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inquiry_note_inquiry_id"))
    op.drop_table("inquiry_note")
    with op.batch_alter_table("inquiry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inquiry_technology_id"))
        batch_op.drop_index("ix_inquiry_status_created_at")
        batch_op.drop_index("ix_inquiry_ip_hash_created_at")
    op.drop_table("inquiry")
    with op.batch_alter_table("technology", schema=None) as batch_op:
        batch_op.drop_index("ix_technology_listing")
        batch_op.drop_index("ix_technology_facets")
    op.drop_table("technology")
