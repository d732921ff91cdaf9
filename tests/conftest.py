"""Fixtures: a clean database per test (SQLite, or PostgreSQL when PORTAL_TEST_DATABASE_URL is set),
the app, a CSRF-aware client, `login_as(role, org)`, and a real SMTP server on loopback."""

from __future__ import annotations

import os
import re
import secrets
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session, SQLModel

import portal.models  # noqa: F401  (every table on the metadata)
from portal import create_app
from portal.db import make_engine
from tests import factories
from tests.s3server import s3_bucket, s3_endpoint, storage_settings  # noqa: F401 (fixtures)

TEST_PASSWORD = "correct horse battery staple"
PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
# Cookie-less anonymous pages carry an empty token (their forms are checked by origin instead).
ANY_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')
SAME_ORIGIN = {"Origin": "http://localhost"}  # what a browser sends with a form of this site


def pytest_report_header() -> str:
    return f"database: {'PostgreSQL ' + make_url(PG_URL).render_as_string(hide_password=True) if PG_URL else 'SQLite'}"


# --- database -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """A database of this run's own: a SQLite file, or a fresh PostgreSQL database dropped after."""
    if not PG_URL:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal.db'}"
        _create_schema(url)
        yield url
        return
    base = make_url(PG_URL)
    name = f"portal_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    _create_schema(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _create_schema(url: str) -> None:
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()


def _empty_all_tables(url: str) -> None:
    engine = make_engine(url)
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # A connection left idle in a transaction would block TRUNCATE forever: fail instead.
            connection.execute(text("SET LOCAL lock_timeout = '30s'"))
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
    engine.dispose()


# --- mail -----------------------------------------------------------------------------------


@dataclass
class MailBox:
    """Messages received by the loopback SMTP server."""

    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler protocol
        message = message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        """Messages addressed to one recipient."""
        return [m for m in self.messages if address in m["X-Envelope-To"]]

    @staticmethod
    def body(message: Message) -> str:
        """The plain-text body."""
        part = message.get_body(("plain",)) if hasattr(message, "get_body") else message
        payload = (part or message).get_payload(decode=True)
        return payload.decode() if isinstance(payload, bytes) else str(payload)

    def link_path(self, address: str, marker: str) -> str:
        """The path of the last mailed link to `address` containing `marker` (e.g. "/invite/")."""
        for message in reversed(self.to(address)):
            for word in self.body(message).split():
                if marker in word:
                    return word[word.index(marker) :]
        raise AssertionError(f"no {marker} link mailed to {address}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Controller, MailBox]]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for the whole run."""
    mailbox = MailBox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> MailBox:
    """The messages sent during this test."""
    _controller, box = smtp_server
    box.messages.clear()
    return box


# --- app and clients ------------------------------------------------------------------------


def portal_test_settings(database_url: str, tmp_path: Path, smtp_port: int) -> dict:
    """Settings for a test app (cheap argon2 parameters; everything else as in production)."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "INSTANCE_DIR": tmp_path / "instance",
        "DATA_DIR": tmp_path / "data",
        "SECRET_KEY": "test-" + "x" * 40,
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
        # Jobs run in-process right after the request that sent them commits (like Celery's
        # task_always_eager), so an upload test sees the ingested file; tests of the real
        # worker thread and of Celery set this back to False.
        "JOBS_EAGER": True,
        # A run left "running" by a killed worker is taken over after this many seconds.
        "JOB_STALE_SECONDS": 2.0,
    }


@pytest.fixture
def app_config(database_url, tmp_path, smtp_server) -> dict:
    """Overrides for the `app` fixture; a test may override this fixture to change settings."""
    controller, _box = smtp_server
    return portal_test_settings(database_url, tmp_path, controller.port)


@pytest.fixture
def app(app_config, mailbox) -> Iterator[Flask]:
    """A portal on a clean database."""
    application = create_app(app_config)
    application.test_client_class = PortalClient
    yield application
    application.extensions["db_engine"].dispose()
    _empty_all_tables(app_config["DATABASE_URL"])


class PortalClient(FlaskClient):
    """A test client that can fetch and send the CSRF token like a browser would, and names
    this site as the Origin of its requests as a browser does for a form of the site."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ORIGIN"] = SAME_ORIGIN["Origin"]

    def csrf_token(self) -> str:
        """The token the current session would embed in its forms."""
        page = self.get("/", follow_redirects=True)
        match = ANY_CSRF_META.search(page.get_data(as_text=True))
        assert match, "no CSRF token on the page"
        return match.group(1)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        """POST a form with a valid CSRF token and this site's Origin, as the browser would."""
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token())
        kwargs["headers"] = {**SAME_ORIGIN, **(kwargs.get("headers") or {})}
        return self.post(url, data=payload, **kwargs)


@pytest.fixture
def client(app) -> PortalClient:
    return app.test_client()


@pytest.fixture
def db(app) -> Iterator[Session]:
    """A database session outside any request, for arranging and checking records."""
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        yield session


@pytest.fixture
def login_as(app, client, db) -> Callable:
    """Create a user of `role` (a partner of `org`, made when not given) and sign the client in."""

    def sign_in(role: str, org=None, *, client_=None, **user_fields):
        browser = client_ or client
        if role == "partner" and org is None:
            org = factories.make_organization(db)
        user = factories.make_user(db, role=role, organization=org, **user_fields)
        response = browser.post_form(
            "/login", {"email": user.email, "password": user_fields.get("password", TEST_PASSWORD)}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return sign_in


@pytest.fixture
def production_app(app, app_config, monkeypatch) -> Iterator[Flask]:
    """The portal as production runs it (PORTAL_ENV=production with the settings it requires,
    served at http://localhost so the test client's Host is the trusted one), on the same clean
    database as `app` (which empties it afterwards)."""
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_BASE_URL", "http://localhost")
    monkeypatch.delenv("PORTAL_TRUSTED_HOSTS", raising=False)
    monkeypatch.delenv("PORTAL_PROXY_FIX", raising=False)
    application = create_app(app_config)
    application.test_client_class = PortalClient
    yield application
    application.extensions["db_engine"].dispose()
