"""Reading numbers from forms and query strings defensively, and the version an edit form carries."""

from __future__ import annotations


def parse_int(raw: str | None, default: int | None = None) -> int | None:
    """An int from a form or query value; anything odd gives `default` (never an error)."""
    try:
        return int(str(raw).strip()[:12])
    except (TypeError, ValueError):
        return default


def submitted_version(field) -> int:
    """The version the edit form was loaded with; -1 (a conflict) when the request sent none, so a
    form built from the record (`obj=`) cannot lend a bare POST the record's current version."""
    return parse_int(field.data if field.raw_data else None, -1)
