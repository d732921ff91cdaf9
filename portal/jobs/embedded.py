"""The worker thread a web process without a broker starts itself (`make run`)."""

from __future__ import annotations

import contextlib
import logging
import queue
import threading

from flask import Flask

from portal.jobs.runner import run_job, unfinished

RECOVERY_RETRY_SECONDS = 30
log = logging.getLogger(__name__)


class EmbeddedWorker:
    """One daemon thread running jobs in order; it begins by taking over unfinished work."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.jobs: queue.Queue = queue.Queue()
        self.thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the thread once (later calls do nothing); no database work in the caller."""
        if self.thread is not None:
            return
        with self._lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._loop, name="portal-jobs", daemon=True)
                self.thread.start()

    def submit(self, name: str, kwargs: dict) -> None:
        """Queue a job for the thread (starting it if needed)."""
        self.start()
        self.jobs.put((name, kwargs))

    def stop(self, timeout: float = 10) -> None:
        """Finish the jobs already queued, then end the thread."""
        if self.thread is None:
            return
        self.jobs.put(None)
        self.thread.join(timeout)
        self.thread = None

    def _take_over_unfinished(self) -> bool:
        """Queue what the database lists as queued or running; False if it cannot be read now."""
        try:
            found = unfinished(self.app)
        except Exception:  # the database may be down at start-up: try again later
            log.warning("could not list unfinished jobs; retrying", exc_info=True)
            return False
        for name, kwargs in found:
            self.jobs.put((name, kwargs))
        return True

    def _loop(self) -> None:
        recovered = False
        while True:
            if not recovered:
                recovered = self._take_over_unfinished()
            try:
                item = self.jobs.get(timeout=None if recovered else RECOVERY_RETRY_SECONDS)
            except queue.Empty:
                continue
            if item is None:
                return
            name, kwargs = item
            # A failure is already logged; the thread must live on for the next job.
            with contextlib.suppress(Exception):
                run_job(self.app, name, kwargs)
