"""optional Hindi title and summary: technology.title_hi and summary_hi, dataset.title_hi and
description_hi (empty: Hindi pages show the English text)

Revision ID: 0901_hindi_titles
Revises: 0801_resumable_uploads
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0901_hindi_titles"
down_revision: str | None = "0801_resumable_uploads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, length): None is the unbounded text the dataset's description already is.
COLUMNS = (
    ("technology", "title_hi", 200),
    ("technology", "summary_hi", 500),
    ("dataset", "title_hi", 200),
    ("dataset", "description_hi", None),
)


def upgrade() -> None:
    for table in ("technology", "dataset"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, length in ((n, size) for t, n, size in COLUMNS if t == table):
                # Existing rows get "" (no Hindi text), as a new record does.
                batch_op.add_column(
                    sa.Column(
                        name,
                        sqlmodel.sql.sqltypes.AutoString(length=length),
                        nullable=False,
                        server_default="",
                    )
                )


def downgrade() -> None:
    for table in ("dataset", "technology"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in (n for t, n, _size in COLUMNS if t == table):
                batch_op.drop_column(name)
