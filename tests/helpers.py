"""Helpers several test files share (no fixtures here: those live in conftest.py)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event


@contextmanager
def counting_statements(app: Flask) -> Iterator[list[str]]:
    """Collect every SQL statement the app's engine runs inside the block (the list grows)."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def app_with_worker_thread(app_config: dict) -> Iterator[Flask]:
    """A portal in the `make run` mode (no broker, not eager); its worker thread is stopped and
    the tables emptied after (use with ``yield from`` in an ``app`` fixture)."""
    from portal import create_app
    from tests.conftest import PortalClient, _empty_all_tables

    application = create_app({**app_config, "JOBS_EAGER": False})
    application.test_client_class = PortalClient
    yield application
    application.extensions["jobs"].stop()
    application.extensions["db_engine"].dispose()
    _empty_all_tables(app_config["DATABASE_URL"])


def upload_cycler_file(client, slug: str, content: bytes, filename: str = "maccor.txt", **options):
    """Post a cycler file to a dataset's staff upload form (``headers=`` for an htmx request)."""
    return client.post(
        f"/admin/datasets/{slug}/files",
        data={"file": (io.BytesIO(content), filename), "csrf_token": client.csrf_token()},
        content_type="multipart/form-data",
        **options,
    )
