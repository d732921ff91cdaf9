"""licensing: notifications and their preferences; agreement renewals and amendments;
licence applications and their steps; technology claims checked against datasets;
access requests and public dataset cards

Revision ID: 0201_licensing
Revises: 0701_jobs
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0201_licensing"
down_revision: str | None = "0701_jobs"
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

    op.create_table(
        "licence_application",
        sa.Column("contact_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("contact_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("licence_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("field_of_use", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("territory", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("company_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "company_registration", sqlmodel.sql.sqltypes.AutoString(length=21), nullable=False
        ),
        sa.Column("company_size", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("business_plan", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("expected_volumes", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("timeline", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("technology_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("applicant_id", sa.Integer(), nullable=True),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("stage_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("plan_stored_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("plan_filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("plan_size_bytes", sa.Integer(), nullable=True),
        sa.Column("plan_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("ip_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "company_size IN ('startup', 'msme', 'large')",
            name=op.f("ck_licence_application_company_size_valid"),
        ),
        sa.CheckConstraint(
            "licence_type IN ('evaluation', 'non_exclusive', 'exclusive', 'startup')",
            name=op.f("ck_licence_application_licence_type_valid"),
        ),
        sa.CheckConstraint(
            "stage IN ('received', 'under_review', 'term_sheet_sent', 'negotiation', 'approved', 'declined')",
            name=op.f("ck_licence_application_stage_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_licence_application_agreement_id_agreement"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["user_account.id"],
            name=op.f("fk_licence_application_applicant_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_licence_application_organization_id_organization"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["technology_id"],
            ["technology.id"],
            name=op.f("fk_licence_application_technology_id_technology"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_application")),
        sa.UniqueConstraint(
            "plan_stored_name", name=op.f("uq_licence_application_plan_stored_name")
        ),
        sa.UniqueConstraint("reference", name=op.f("uq_licence_application_reference")),
    )
    with op.batch_alter_table("licence_application", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_licence_application_ip_hash"), ["ip_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_licence_application_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_licence_application_stage_since", ["stage", "stage_since"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_licence_application_technology_id"), ["technology_id"], unique=False
        )

    op.create_table(
        "licence_application_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("from_stage", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("to_stage", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_licence_application_step_actor_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["licence_application.id"],
            name=op.f("fk_licence_application_step_application_id_licence_application"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_application_step")),
    )
    with op.batch_alter_table("licence_application_step", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_licence_application_step_application_id"),
            ["application_id"],
            unique=False,
        )

    op.create_table(
        "technology_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("technology_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("figure", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("claimed_value", sa.Float(), nullable=True),
        sa.Column("after_cycles", sa.Integer(), nullable=True),
        sa.Column("tolerance_pct", sa.Float(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "figure IN ('cycles_to_80', 'retention_after', 'coulombic_efficiency', 'capacity')",
            name=op.f("ck_technology_claim_figure_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_technology_claim_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["technology_id"],
            ["technology.id"],
            name=op.f("fk_technology_claim_technology_id_technology"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technology_claim")),
        sa.UniqueConstraint(
            "technology_id", "figure", "dataset_id", name="uq_technology_claim_link"
        ),
    )
    with op.batch_alter_table("technology_claim", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_technology_claim_dataset_id"), ["dataset_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_technology_claim_technology_id"), ["technology_id"], unique=False
        )

    op.create_table(
        "access_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("terms_version", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("terms_accepted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("decline_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'declined')",
            name=op.f("ck_access_request_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_access_request_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_access_request_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["dataset_grant.id"],
            name=op.f("fk_access_request_grant_id_dataset_grant"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_access_request_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["user_account.id"],
            name=op.f("fk_access_request_requester_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_request")),
    )
    with op.batch_alter_table("access_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_access_request_dataset_id"), ["dataset_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_access_request_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_access_request_status_created_at", ["status", "created_at"], unique=False
        )

    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_card", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.drop_column("public_card")
    with op.batch_alter_table("access_request", schema=None) as batch_op:
        batch_op.drop_index("ix_access_request_status_created_at")
        batch_op.drop_index(batch_op.f("ix_access_request_organization_id"))
        batch_op.drop_index(batch_op.f("ix_access_request_dataset_id"))

    op.drop_table("access_request")
    with op.batch_alter_table("technology_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technology_claim_technology_id"))
        batch_op.drop_index(batch_op.f("ix_technology_claim_dataset_id"))

    op.drop_table("technology_claim")
    with op.batch_alter_table("licence_application_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_licence_application_step_application_id"))

    op.drop_table("licence_application_step")
    with op.batch_alter_table("licence_application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_licence_application_technology_id"))
        batch_op.drop_index("ix_licence_application_stage_since")
        batch_op.drop_index(batch_op.f("ix_licence_application_organization_id"))
        batch_op.drop_index(batch_op.f("ix_licence_application_ip_hash"))

    op.drop_table("licence_application")
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_constraint("change_kind_valid", type_="check")
        batch_op.drop_constraint("fk_agreement_previous_id_agreement", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_agreement_previous_id"))
        batch_op.drop_column("change_kind")
        batch_op.drop_column("previous_id")
    op.drop_table("notification_preference")
    op.drop_index(op.f("ix_notification_user_id"), table_name="notification")
    op.drop_table("notification")
