"""an agreement's exclusivity and royalty period are checked against their code lists

Revision ID: 1001_agreement_code_checks
Revises: 0902_hindi_search
Create Date: 2026-12-04

The CHECK constraints of code columns now follow from the field declarations
(portal.fields); these two columns had a code list but no constraint.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1001_agreement_code_checks"
down_revision: str | None = "0902_hindi_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the code lists as this revision makes them.
CODES = {
    "exclusivity": ("", "exclusive", "non_exclusive", "sole"),
    "royalty_period": ("quarterly", "half_yearly", "annual"),
}


def _allowed(column: str) -> str:
    return f"{column} IN ({', '.join(repr(code) for code in CODES[column])})"


def upgrade() -> None:
    connection = op.get_bind()
    # A form that left the period out stored "" (the select had no default then); the
    # portal has always read an unknown period as quarterly, so that is what it becomes.
    connection.execute(
        sa.text("UPDATE agreement SET royalty_period = 'quarterly' WHERE royalty_period = ''")
    )
    for column in CODES:
        odd = connection.execute(
            # Column names and codes are this file's constants, never input.
            sa.text(f"SELECT reference, {column} FROM agreement WHERE NOT ({_allowed(column)})")  # noqa: S608
        ).all()
        if odd:
            listed = ", ".join(f"{reference} ({value!r})" for reference, value in odd)
            raise RuntimeError(
                f"Agreements with an unknown {column}: {listed}. Correct them, then migrate again."
            )
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        for column in CODES:
            batch_op.create_check_constraint(op.f(f"ck_agreement_{column}_valid"), _allowed(column))


def downgrade() -> None:
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        for column in CODES:
            batch_op.drop_constraint(op.f(f"ck_agreement_{column}_valid"), type_="check")
