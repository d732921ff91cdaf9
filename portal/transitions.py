"""The one check of a step along a status chain: agreements, milestones, licence applications
and inquiries each declare a `Chain` (their table of legal steps and their refusal sentence),
and their services ask it before moving a record."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.errors import ServiceError

UNKNOWN_STATUS = _l("Unknown status.")


@dataclass(frozen=True)
class Chain:
    """A status chain: where each status may go next, and how a refused step is said."""

    steps: Mapping[str, tuple[str, ...]]
    # A status as the refusal reads it ("in negotiation", "Under review").
    in_words: Callable[[str], str]
    # A lazy sentence with %(current)s and %(target)s, said in the reader's language.
    refusal: Any
    unknown: Any = UNKNOWN_STATUS

    def next_from(self, status: str) -> tuple[str, ...]:
        """Where a record in ``status`` may go next (nowhere from a final or unknown status)."""
        return self.steps.get(status, ())

    def check(self, current: str, target: str, legal: Iterable[str] | None = None) -> None:
        """Refuse a step to ``target`` that is no status of the chain or is not legal from
        ``current`` (or not among ``legal``, where the record's own rule narrows the steps)."""
        if target not in self.steps:
            raise ServiceError(str(self.unknown))
        if target not in (self.next_from(current) if legal is None else tuple(legal)):
            words = {"current": self.in_words(current), "target": self.in_words(target)}
            raise ServiceError(str(self.refusal) % words)
