"""The Celery app of a portal with PORTAL_BROKER_URL (Redis or RabbitMQ), after Flask's own recipe.

One task runs any registered job by name. It is acknowledged only after it ran (acks_late) and
given back to the broker if the worker process dies under it (reject_on_worker_lost); a worker
that starts sends again the jobs the database still lists as queued or running, so a job killed
with its whole worker runs again too. Jobs are idempotent (see portal.datasets.jobs).
"""

from __future__ import annotations

from celery import Celery, signals
from celery.schedules import crontab
from flask import Flask

from portal.jobs.runner import run_job, unfinished

TASK = "portal.run_job"
# celery beat's daily runs of the command-line jobs (cron can still call the commands instead).
BEAT_SCHEDULE = {
    "sweep": {
        "task": TASK,
        "schedule": crontab(hour=0, minute=15),
        "args": ("agreements.sweep", {}),
    },
    "send-reminders": {
        "task": TASK,
        "schedule": crontab(hour=7, minute=0),
        "args": ("agreements.send_reminders", {}),
    },
}


def celery_init_app(app: Flask) -> Celery:
    """A Celery app bound to this Flask app, with the one task and the beat schedule."""
    celery = Celery(app.import_name, broker=app.config["BROKER_URL"], set_as_current=False)
    celery.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a long ingest does not hold other jobs back
        task_ignore_result=True,  # the database records the outcome
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        timezone=app.config["BABEL_DEFAULT_TIMEZONE"],
        beat_schedule=BEAT_SCHEDULE,
    )

    # shared=False: each portal app has its own task (tests build several apps in one process).
    @celery.task(name=TASK, acks_late=True, reject_on_worker_lost=True, shared=False)
    def run_job_task(name: str, kwargs: dict) -> str:
        return run_job(app, name, kwargs)

    def take_over_unfinished(sender=None, **_kwargs) -> None:
        if getattr(sender, "app", None) is not celery:
            return
        for name, kwargs in unfinished(app):
            run_job_task.delay(name, kwargs)

    def fresh_connections(**_kwargs) -> None:
        # A forked pool process must not share the parent's database connections.
        app.extensions["db_engine"].dispose(close=False)

    signals.worker_ready.connect(take_over_unfinished, weak=False)
    signals.worker_process_init.connect(fresh_connections, weak=False)
    return celery
