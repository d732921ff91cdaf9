"""half cells, plausibility and cell metadata: a dataset's cell type, formation cycles and
Battery Archive's cell and test metadata; per file the state-of-health status, the efficiency
convention, plausibility warnings and what the file states; per cycle the formation mark

Revision ID: 0301_cell_types_and_plausibility
Revises: 0201_licensing
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0301_cell_types_and_plausibility"
down_revision: str | None = "0201_licensing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CELL_TYPES = (
    "cell_type IN ('full', 'half_li_anode', 'half_li_cathode', 'half_na_anode', 'half_na_cathode')"
)

TEXT_METADATA = (
    ("cathode", 80),
    ("anode", 80),
    ("electrolyte", 200),
    ("cycler", 120),
    ("channel", 40),
)
NUMBER_METADATA = (
    "active_mass_g",
    "electrode_area_cm2",
    "c_rate_charge",
    "c_rate_discharge",
    "voltage_min_v",
    "voltage_max_v",
)


def upgrade() -> None:
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "cell_type",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="full",
            )
        )
        batch_op.add_column(sa.Column("formation_cycles", sa.Integer(), nullable=True))
        for name, length in TEXT_METADATA:
            batch_op.add_column(
                sa.Column(
                    name,
                    sqlmodel.sql.sqltypes.AutoString(length=length),
                    nullable=False,
                    server_default="",
                )
            )
        for name in NUMBER_METADATA:
            batch_op.add_column(sa.Column(name, sa.Float(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_dataset_cell_type_valid"), CELL_TYPES)
    with op.batch_alter_table("dataset_file", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "soh_status",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="no_reference",
            )
        )
        batch_op.add_column(
            sa.Column(
                "convention",
                sqlmodel.sql.sqltypes.AutoString(length=300),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("warnings", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column("test_metadata", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table("cycle_summary", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("formation", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Files ingested before: their figure's status follows from what was stored (re-ingesting
    # them adds the warnings and the convention).
    op.execute(
        "UPDATE dataset_file SET soh_status = CASE "
        "WHEN cycles_to_80_soh IS NOT NULL THEN 'reached' "
        "WHEN reference_capacity_ah IS NOT NULL THEN 'not_reached' "
        "ELSE 'no_reference' END"
    )


def downgrade() -> None:
    with op.batch_alter_table("cycle_summary", schema=None) as batch_op:
        batch_op.drop_column("formation")
    with op.batch_alter_table("dataset_file", schema=None) as batch_op:
        batch_op.drop_column("test_metadata")
        batch_op.drop_column("warnings")
        batch_op.drop_column("convention")
        batch_op.drop_column("soh_status")
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_dataset_cell_type_valid"), type_="check")
        for name in (*NUMBER_METADATA, *(name for name, _length in TEXT_METADATA)):
            batch_op.drop_column(name)
        batch_op.drop_column("formation_cycles")
        batch_op.drop_column("cell_type")
