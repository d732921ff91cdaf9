"""Run one job inside an app context, whatever queue delivered it; list the unfinished ones."""

from __future__ import annotations

import logging
import time

from flask import Flask
from sqlmodel import Session

from portal.datasets.ingest.errors import is_rust_panic
from portal.jobs import registry

log = logging.getLogger(__name__)


def run_job(app: Flask, name: str, kwargs: dict) -> str:
    """Run job `name`; a failure is logged (the job records failures the user should see)."""
    started = time.monotonic()
    with app.app_context():
        try:
            outcome = registry.job(name)(**kwargs)
        except Exception:
            log.exception("job %s %s failed", name, kwargs)
            raise
        except BaseException as exc:
            if not is_rust_panic(exc):
                raise
            # As an Exception, so the worker thread or process that delivered it lives on.
            log.exception("job %s %s failed", name, kwargs)
            raise RuntimeError(f"job {name} stopped: a Rust extension panicked") from exc
    log.info("job %s %s: %s (%.1f s)", name, kwargs, outcome, time.monotonic() - started)
    return str(outcome)


def unfinished(app: Flask) -> list[tuple[str, dict]]:
    """Every job the database says is still to do (queued, or running when a worker died)."""
    with Session(app.extensions["db_engine"]) as session:
        found: list[tuple[str, dict]] = []
        for target in registry.UNFINISHED:
            found.extend(registry.resolve(target)(session))
        return found
