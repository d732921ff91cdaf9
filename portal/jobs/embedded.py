"""The worker thread a web process without a broker starts itself (`make run`)."""

from __future__ import annotations

import contextlib
import queue
import threading

from flask import Flask

from portal.jobs.runner import run_job, unfinished


class EmbeddedWorker:
    """One daemon thread running jobs in order; it starts by taking over unfinished work."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.jobs: queue.Queue = queue.Queue()
        self.thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the thread once (later calls do nothing)."""
        if self.thread is not None:
            return
        with self._lock:
            if self.thread is not None:
                return
            for name, kwargs in unfinished(self.app):
                self.jobs.put((name, kwargs))
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

    def _loop(self) -> None:
        while (item := self.jobs.get()) is not None:
            name, kwargs = item
            # A failure is already logged; the thread must live on for the next job.
            with contextlib.suppress(Exception):
                run_job(self.app, name, kwargs)
