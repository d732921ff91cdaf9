"""`portal worker`: run jobs from the broker (PORTAL_BROKER_URL), optionally with celery beat."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal import jobs


@click.command("worker")
@click.option("--concurrency", default=2, show_default=True, help="Jobs run at the same time.")
@click.option(
    "--pool",
    type=click.Choice(["prefork", "solo", "threads"]),
    default="prefork",
    show_default=True,
    help="Celery's worker pool (solo: the jobs run in this process).",
)
@click.option("--beat", is_flag=True, help="Also run celery beat: daily sweep and send-reminders.")
@click.option("--loglevel", default="INFO", show_default=True)
@with_appcontext
def worker_command(concurrency: int, pool: str, beat: bool, loglevel: str) -> None:
    """Run background jobs (ingest, re-ingest, reminders, sweep) from the broker."""
    if jobs.mode(current_app.config) != jobs.CELERY:
        raise click.ClickException(
            "PORTAL_BROKER_URL is not set: without a broker the web process runs jobs in its "
            "own worker thread, so no separate worker is needed."
        )
    argv = [
        "worker",
        f"--concurrency={concurrency}",
        f"--pool={pool}",
        f"--loglevel={loglevel}",
        "--without-gossip",
        "--without-mingle",
    ]
    if beat:
        schedule = current_app.config["INSTANCE_DIR"] / "celerybeat-schedule"
        argv += ["--beat", f"--schedule={schedule}"]
    current_app.extensions["jobs"].worker_main(argv)
