"""Search text in SQL LIKE filters, escaped one way everywhere."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

MAX_SEARCH_LENGTH = 100


def clean_search(raw: str | None, limit: int = MAX_SEARCH_LENGTH) -> str:
    """A search box's text: NUL bytes and runs of white space folded, cut to ``limit``."""
    return " ".join(str(raw or "").replace("\x00", " ").split())[:limit]


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with %, _ and the escape itself made literal."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(text: str, *columns) -> ColumnElement[bool]:
    """Case-insensitive "any of these columns contains ``text``" (``text`` taken literally)."""
    pattern = contains_pattern(text)
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))
