"""full-text search covers the Hindi title and summary of technologies

Revision ID: 0902_hindi_search
Revises: 0901_hindi_titles
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0902_hindi_search"
down_revision: str | None = "0901_hindi_titles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of portal.catalog.models.search_ddl: with the Hindi columns, and as 0002 made it.
PG_WITH_HINDI = (
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.summary, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.description, '')), 'C') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.title_hi, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.summary_hi, '')), 'B')"
)
SQLITE_WITH_HINDI = (
    "CREATE VIRTUAL TABLE technology_fts USING fts5("
    "title, summary, description, title_hi, summary_hi, content='technology', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER technology_fts_insert AFTER INSERT ON technology BEGIN "
    "INSERT INTO technology_fts(rowid, title, summary, description, title_hi, summary_hi) "
    "VALUES (new.id, new.title, new.summary, new.description, new.title_hi, new.summary_hi); END",
    "CREATE TRIGGER technology_fts_delete AFTER DELETE ON technology BEGIN "
    "INSERT INTO technology_fts"
    "(technology_fts, rowid, title, summary, description, title_hi, summary_hi) "
    "VALUES ('delete', old.id, old.title, old.summary, old.description, old.title_hi, "
    "old.summary_hi); END",
    "CREATE TRIGGER technology_fts_update "
    "AFTER UPDATE OF title, summary, description, title_hi, summary_hi ON technology BEGIN "
    "INSERT INTO technology_fts"
    "(technology_fts, rowid, title, summary, description, title_hi, summary_hi) "
    "VALUES ('delete', old.id, old.title, old.summary, old.description, old.title_hi, "
    "old.summary_hi); "
    "INSERT INTO technology_fts(rowid, title, summary, description, title_hi, summary_hi) "
    "VALUES (new.id, new.title, new.summary, new.description, new.title_hi, new.summary_hi); END",
    # Index the rows that exist already.
    "INSERT INTO technology_fts(technology_fts) VALUES ('rebuild')",
)
PG_ENGLISH = (
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.summary, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.description, '')), 'C')"
)
SQLITE_ENGLISH = (
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

SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS technology_fts_update",
    "DROP TRIGGER IF EXISTS technology_fts_delete",
    "DROP TRIGGER IF EXISTS technology_fts_insert",
    "DROP TABLE IF EXISTS technology_fts",
)


def _rebuild(sqlite_objects: tuple[str, ...], pg_document: str) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        statements = (*SQLITE_DROP, *sqlite_objects)
    elif dialect == "postgresql":
        statements = (
            "DROP INDEX IF EXISTS ix_technology_fts_document",
            f"CREATE INDEX ix_technology_fts_document ON technology USING gin (({pg_document}))",
        )
    else:
        statements = ()
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    _rebuild(SQLITE_WITH_HINDI, PG_WITH_HINDI)


def downgrade() -> None:
    _rebuild(SQLITE_ENGLISH, PG_ENGLISH)
