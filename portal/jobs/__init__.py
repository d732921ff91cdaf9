"""Background jobs: what a job is (registry.py), how one runs (runner.py), and where it runs.

Three ways, chosen by the settings (see `mode`):
- ``celery``: PORTAL_BROKER_URL names Redis or RabbitMQ; `portal worker` runs the jobs.
- ``thread``: no broker (the default, `make run`); a worker thread the app starts itself.
- ``eager``: tests only (JOBS_EAGER); the job runs in-process right after the request commits.

A job is sent only once the transaction that asked for it commits, so a worker never looks for a
row that is not there yet, and a request that rolls back sends nothing.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time

from flask import Flask, current_app
from sqlalchemy import event
from sqlmodel import Session

from portal.jobs.runner import run_job

EAGER, THREAD, CELERY = "eager", "thread", "celery"
_EXTENSION = "jobs"
_PENDING = "jobs_pending"
_HOOKED = "jobs_hooked"
log = logging.getLogger(__name__)


def mode(settings) -> str:
    """Which way jobs run under these settings."""
    if settings.get("JOBS_EAGER"):
        return EAGER
    return CELERY if settings.get("BROKER_URL") else THREAD


def init_app(app: Flask) -> None:
    """Prepare the app's way of running jobs (nothing starts until a job is sent or served)."""
    chosen = mode(app.config)
    if chosen == CELERY:
        from portal.jobs.celery_app import celery_init_app  # Celery only when a broker is set

        app.extensions[_EXTENSION] = celery_init_app(app)
    elif chosen == THREAD:
        from portal.jobs.embedded import EmbeddedWorker

        worker = EmbeddedWorker(app)
        app.extensions[_EXTENSION] = worker
        # The web process starts its worker with the first request it serves (not in CLI
        # commands, which must not pick up the web's jobs); it then takes over unfinished work.
        app.before_request(worker.start)
    else:
        app.extensions[_EXTENSION] = None


def enqueue_after_commit(db: Session, name: str, **kwargs) -> None:
    """Send job `name` with `kwargs` once the current transaction commits (never if it rolls back)."""
    _hook(db)
    db.info.setdefault(_PENDING, []).append((current_app._get_current_object(), name, kwargs))


def send(app: Flask, name: str, kwargs: dict, *, delay: float = 0) -> None:
    """Hand a job to the app's queue, to run now or `delay` seconds from now."""
    chosen = mode(app.config)
    if chosen == EAGER:
        time.sleep(delay)  # tests only, with short delays
        # A fresh context: the job sees no request, as it would on a worker.
        contextvars.Context().run(run_job, app, name, kwargs)
    elif chosen == THREAD:
        worker = app.extensions[_EXTENSION]
        if delay:
            timer = threading.Timer(delay, worker.submit, args=(name, kwargs))
            timer.daemon = True
            timer.start()
        else:
            worker.submit(name, kwargs)
    else:
        from portal.jobs.celery_app import TASK

        app.extensions[_EXTENSION].send_task(TASK, args=(name, kwargs), countdown=delay or None)


def _hook(db: Session) -> None:
    if db.info.get(_HOOKED):
        return
    db.info[_HOOKED] = True

    def committed(session):
        for app, name, kwargs in session.info.pop(_PENDING, []):
            try:
                send(app, name, kwargs)
            except Exception:  # the row stays queued; a starting worker picks it up
                log.warning("could not send job %s %s", name, kwargs, exc_info=True)

    def rolled_back(session, previous_transaction):
        if not previous_transaction.nested:
            session.info.pop(_PENDING, None)

    event.listen(db, "after_commit", committed)
    event.listen(db, "after_soft_rollback", rolled_back)
