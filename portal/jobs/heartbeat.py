"""A running job's heartbeat: a thread that says "still alive" every few seconds.

Workers take over a job only when its heartbeat is older than JOB_STALE_SECONDS, so a worker that
starts (or a message delivered twice) leaves a job that another live worker is running alone,
while a worker that was killed stops beating and its job is taken over.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


def interval(stale_seconds: float) -> float:
    """How often to beat so that a live job never looks stale."""
    return max(0.5, stale_seconds / 4)


@contextmanager
def beating(stale_seconds: float, beat: Callable[[], None]) -> Iterator[None]:
    """Call `beat` every `interval(stale_seconds)` seconds in a thread while the block runs."""
    stop = threading.Event()
    every = interval(stale_seconds)

    def loop() -> None:
        while not stop.wait(every):
            try:
                beat()
            except Exception:  # e.g. the database busy for a moment: the next beat tries again
                log.warning("job heartbeat missed", exc_info=True)

    thread = threading.Thread(target=loop, name="portal-job-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 10)
