"""Processes a test starts (workers, web nodes): each logs to a file, is stopped with its group
afterwards, and a wait that times out shows the end of every log."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


def start_logged(command: list[str], log_path: Path, **popen) -> subprocess.Popen:
    """Start `command` in its own process group, its output appended to `log_path`."""
    log = open(log_path, "ab")  # noqa: SIM115 (closed by stop_all)
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **popen
    )
    process.log = log
    return process


def stop_all(started: list[subprocess.Popen]) -> None:
    """SIGTERM each process group still running (SIGKILL after 15 s) and close the logs."""
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        process.log.close()


def log_tails(folder: Path, pattern: str = "*.log", chars: int = 3000) -> str:
    """The end of each log in `folder`, for a failure message."""
    return "logs:\n" + "\n".join(
        f"== {p.name}\n{p.read_text(errors='replace')[-chars:]}"
        for p in sorted(folder.glob(pattern))
    )


def wait_for(
    check: Callable[[], bool],
    seconds: float,
    what: str,
    logs: Callable[[], str],
    *,
    retry_on: tuple[type[Exception], ...] = (),
    every: float = 0.05,
) -> None:
    """Poll `check` until it holds; after `seconds`, fail naming `what` with the logs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except retry_on:  # e.g. a server not listening yet
            pass
        time.sleep(every)
    raise AssertionError(f"{what} not seen within {seconds} s\n{logs()}")
