"""Engine, one session per request committed once, and the constraint naming convention."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import Engine, event
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine, select

# Named constraints let Alembic drop and alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


def utcnow() -> datetime:
    """Current time, timezone-aware in UTC (SQLModel stores and returns aware UTC datetimes)."""
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout on every connection."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 5},
            **({"poolclass": StaticPool} if ":memory:" in url else {}),
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        pool_timeout=5,
        connect_args={"connect_timeout": 3},
    )


def init_app(app: Flask) -> None:
    """Attach the engine and the commit-once-per-request lifecycle to the app."""
    app.extensions["db_engine"] = make_engine(app.config["DATABASE_URL"])

    @app.after_request
    def commit_session(response):
        db_session = g.pop("db_session", None)
        if db_session is not None:
            try:
                if g.pop("change_refused", False):
                    db_session.rollback()
                else:
                    db_session.commit()
            finally:
                db_session.close()
        return response

    # App-context teardown covers requests and CLI commands alike, so a command that fails
    # midway never leaves a connection idle in a transaction.
    @app.teardown_appcontext
    def discard_session(_exc):
        db_session = g.pop("db_session", None)
        if db_session is not None:
            db_session.rollback()
            db_session.close()


def engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["db_engine"]


def session() -> Session:
    """The session of the current request or CLI command, created on first use."""
    if not has_app_context():
        raise RuntimeError("portal.db.session() needs an application context")
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


def rollback() -> None:
    """Undo everything the current request has written so far (an error page is being shown)."""
    if "db_session" in g:
        try:
            g.db_session.rollback()
        except Exception:  # the connection may already be gone (database outage)
            g.db_session.invalidate()


def refuse_change() -> None:
    """A service refused a change: undo what the request wrote, and commit nothing at its end.

    Called by ``ServiceError`` itself, so no view or command has to remember a rollback; the
    page that explains the refusal is rendered from the stored state.
    """
    if has_app_context():
        g.change_refused = True
        rollback()


def commit() -> None:
    """Commit the current command's work (CLI and jobs; requests commit in after_request)."""
    db_session = session()
    if g.pop("change_refused", False):
        db_session.rollback()
    else:
        db_session.commit()


def children(db: Session, foreign_key, parent_id: int | None, *order_by) -> list:
    """The rows whose ``foreign_key`` column is ``parent_id``, in ``order_by`` order."""
    model = foreign_key.class_
    return list(db.exec(select(model).where(foreign_key == parent_id).order_by(*order_by)).all())


def taken(db: Session, model, *, but: int | None = None, **values) -> bool:
    """Whether a row of ``model`` (other than the one whose id is ``but``) holds all ``values``.

    The check behind each "already exists" refusal; the database's unique index still has the
    last word when two requests race.
    """
    query = select(model.id).where(
        *(getattr(model, name) == value for name, value in values.items())
    )
    if but is not None:
        query = query.where(model.id != but)
    return db.exec(query.limit(1)).first() is not None
