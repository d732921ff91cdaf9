"""Migrations build exactly the schema the models describe, and downgrade cleanly."""

from __future__ import annotations

import os
import secrets

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, create_engine, inspect, make_url, text
from sqlmodel import Session, SQLModel

from portal.cli import alembic_config
from portal.db import make_engine
from tests import factories


@pytest.fixture
def empty_database_url(tmp_path):
    """A database with nothing in it, on the backend under test."""
    pg_url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not pg_url:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    base = make_url(pg_url)
    name = f"portal_migrate_{secrets.token_hex(4)}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_models_and_migrations_do_not_drift(empty_database_url):
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_as_batch": engine.dialect.name == "sqlite"},
        )
        differences = [
            d
            for d in compare_metadata(context, SQLModel.metadata)
            if not _is_search_index_artifact(d)
        ]
    engine.dispose()
    assert differences == [], "run alembic revision --autogenerate; models and migrations differ"


def _is_search_index_artifact(difference) -> bool:
    """Full-text search tables/indexes created by raw DDL are not in the models by design."""
    text_of = repr(difference)
    return "_fts" in text_of or "search_vector" in text_of


def test_downgrade_to_base_and_upgrade_again(empty_database_url):
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    leftover = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert leftover == set()
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    assert "user_account" in inspect(engine).get_table_names()
    engine.dispose()


def test_constraints_are_named_by_the_convention(empty_database_url):
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    foreign_keys = inspect(engine).get_foreign_keys("user_account")
    assert foreign_keys[0]["name"] == "fk_user_account_organization_id_organization"
    engine.dispose()


def test_every_check_constraint_of_the_models_is_built_by_the_migrations(empty_database_url):
    # Alembic's comparison skips CHECK constraints, so a code column whose list gains a
    # constraint in the models (portal.fields) would otherwise go unchecked in a migrated database.
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    inspector = inspect(engine)
    declared = {
        (table.name, constraint.name)
        for table in SQLModel.metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }
    built = {
        (table, constraint["name"])
        for table in {name for name, _ in declared}
        for constraint in inspector.get_check_constraints(table)
    }
    engine.dispose()
    assert ("agreement", "ck_agreement_royalty_period_valid") in declared
    assert declared - built == set()


def test_an_agreement_with_an_unknown_code_stops_the_migration_with_its_reference(
    empty_database_url,
):
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0902_hindi_search")
    with Session(engine) as db:  # the tables of 0902 are the models' but for the new checks
        factories.make_agreement(db, reference="MOU-ODD-1", exclusivity="semi")
        factories.make_agreement(db, reference="MOU-BLANK-1", royalty_period="")
    with pytest.raises(RuntimeError, match=r"MOU-ODD-1 \('semi'\)"), engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT exclusivity FROM agreement")).scalars().all()
        assert sorted(kept) == ["", "semi"]  # refused, and nothing changed
        connection.execute(text("UPDATE agreement SET exclusivity = 'sole'"))
        connection.commit()
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    with engine.connect() as connection:
        periods = connection.execute(text("SELECT royalty_period FROM agreement")).scalars().all()
    engine.dispose()
    assert periods == ["quarterly", "quarterly"]  # the blank one read as quarterly, as before


def test_sqlite_enforces_foreign_keys_and_uses_wal(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fk.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_search_after_the_migrations_covers_the_hindi_columns(empty_database_url):
    from sqlmodel import Session, select

    from portal.catalog.models import Technology
    from portal.catalog.search import text_search
    from tests.factories import make_technology

    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    with Session(engine) as session:
        make_technology(session, slug="x", title="Cell", title_hi="सोडियम सेल")
        search = text_search(engine.dialect.name, "सोडियम")
        found = session.exec(select(Technology.slug).where(search.condition)).all()
    engine.dispose()
    assert found == ["x"]
