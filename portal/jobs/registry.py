"""Every job by name, in one visible list, and what a starting worker sends again."""

from __future__ import annotations

import importlib
from collections.abc import Callable

# name → "module:function"; the function runs inside an app context and commits its own work.
JOBS = {
    "datasets.ingest": "portal.datasets.jobs:run_ingest",
    "agreements.send_reminders": "portal.agreements.jobs:send_reminders_job",
    "agreements.sweep": "portal.agreements.jobs:sweep_job",
}

# Functions (session → [(name, kwargs)]) listing the work left unfinished in the database.
UNFINISHED = ("portal.datasets.jobs:unfinished_jobs",)


def resolve(target: str) -> Callable:
    """The function a "module:function" string names."""
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function)


def job(name: str) -> Callable:
    """The function of a registered job; KeyError for an unknown name."""
    return resolve(JOBS[name])
