"""Whether the portal can serve: the readiness probe's one question to the database."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import text

from portal import db


def database_answers() -> bool:
    """True when the database answers a trivial query now (a fresh connection, no session)."""
    try:
        with db.engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure to reach the database means "not ready"
        current_app.logger.warning("readiness check failed: %s", type(error).__name__)
        return False
    return True
