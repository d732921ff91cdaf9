"""The `portal` command: a Flask CLI group with database, demo-data and account commands.

Commands are scriptable: no prompt when standard input is not a terminal, and a failure exits
non-zero with a one-line reason on standard error.
"""

from __future__ import annotations

import sys
from datetime import timedelta

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from portal import create_app, db
from portal.accounts.models import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS
from portal.accounts.queries import organization_by_slug, user_by_email
from portal.accounts.tokens import create_api_token, may_authenticate
from portal.accounts.users import create_user
from portal.agreements.commands import send_reminders_command, sweep_command
from portal.backup import backup_command, restore_command
from portal.config import ROOT
from portal.datasets.commands import ingest_command
from portal.dates import local_today
from portal.demo import seed_demo
from portal.errors import ServiceError
from portal.jobs.commands import worker_command
from portal.vocabulary import Role


def fail(message: str) -> None:
    """Stop the command with a one-line reason and exit status 1."""
    raise click.ClickException(message)


def alembic_config(connection=None) -> AlembicConfig:
    """Alembic settings pointing at migrations/ and, when given, an open connection."""
    config = AlembicConfig(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_database(revision: str = "head") -> None:
    """Apply migrations up to `revision` on the current app's database."""
    with db.engine().begin() as connection:
        alembic_command.upgrade(alembic_config(connection), revision)


@click.group("db")
def db_group() -> None:
    """Database migrations."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations (default: all)."""
    upgrade_database(revision)
    click.echo(f"database at {revision}")


@db_group.command("downgrade")
@click.argument("revision", default="-1")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Revert migrations (default: the last one; `base` for all)."""
    with db.engine().begin() as connection:
        alembic_command.downgrade(alembic_config(connection), revision)
    click.echo(f"database at {revision}")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the applied revision."""
    with db.engine().begin() as connection:
        alembic_command.current(alembic_config(connection))


def read_password(prompt: str = "Password") -> str:
    """Prompt on a terminal; otherwise read one line from standard input (no confirmation)."""
    if sys.stdin.isatty():
        return click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    if not line:
        fail("no password given on standard input")
    return line.rstrip("\r\n")


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(Role.values()), required=True)
@click.option("--org", "org_slug", help="Organisation slug (required for partners).")
@click.option("--name", default="", help="Display name (defaults to the e-mail).")
@with_appcontext
def create_user_command(email: str, role: str, org_slug: str | None, name: str) -> None:
    """Create a user with a password read from the terminal or standard input."""
    organization_id = None
    if org_slug:
        organization = organization_by_slug(db.session(), org_slug)
        if organization is None:
            fail(f"no organisation with slug {org_slug!r}")
        organization_id = organization.id
    password = read_password()
    try:
        user = create_user(
            db.session(),
            email=email,
            name=name or email,
            role=role,
            organization_id=organization_id,
            password=password,
        )
    except ServiceError as error:
        fail(error.message)
    db.commit()
    click.echo(f"created {user.role} {user.email} (id {user.id})")


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="command line", help="A name to recognise the token by.")
@click.option(
    "--days",
    type=click.IntRange(1, TOKEN_MAX_DAYS),
    default=TOKEN_DEFAULT_DAYS,
    show_default=True,
    help="How many days the token works (read-only: the API and the data downloads).",
)
@with_appcontext
def create_token_command(email: str, name: str, days: int) -> None:
    """Print a new personal API token for a user, alone on the last line."""
    user = user_by_email(db.session(), email)
    if not may_authenticate(user):
        fail(f"no active user {email!r}")
    expires_on = local_today() + timedelta(days=days)
    try:
        token, raw = create_api_token(db.session(), user, name, expires_on=expires_on)
    except ServiceError as error:
        fail(error.message)
    db.commit()
    click.echo(f"token for {user.email} ({name}), read-only, works until {token.expires_on}:")
    click.echo(raw)


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo organisations, users and records (safe to run twice; never in production)."""
    if current_app.config["PORTAL_ENV"] == "production":
        fail("demo data is never loaded in production mode")
    summary = seed_demo(db.session())
    db.commit()
    for line in summary:
        click.echo(line)


def register_commands(app: Flask) -> None:
    """Attach every command to the app's CLI (the list is here, in one place)."""
    for command in (
        backup_command,
        restore_command,
        db_group,
        create_user_command,
        create_token_command,
        seed_demo_command,
        sweep_command,
        send_reminders_command,
        ingest_command,
        worker_command,
    ):
        app.cli.add_command(command)


cli = FlaskGroup(create_app=lambda: create_app(), add_version_option=False, help=__doc__)
