"""Alembic environment: the portal's models are the target; the URL comes from the settings."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import portal.models  # noqa: F401  (registers every table on SQLModel.metadata)
from portal.config import load_settings
from portal.db import make_engine

target_metadata = SQLModel.metadata


def run_migrations(connection) -> None:
    """Run migrations on an open connection (render_as_batch lets SQLite alter tables)."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = make_engine(load_settings()["DATABASE_URL"])
    with engine.begin() as fresh_connection:
        run_migrations(fresh_connection)
