"""Calendar helpers shared by every domain: India's today, and the range of dates we accept."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

INDIA = ZoneInfo("Asia/Kolkata")
# Dates outside this range are typing mistakes (9999-12-31, 0202-01-01), never real agreements.
EARLIEST = date(1990, 1, 1)
LATEST = date(2100, 12, 31)


def local_today() -> date:
    """Today in India: agreement, milestone and grant dates are Indian calendar dates."""
    return datetime.now(INDIA).date()


def in_range(value: date | None) -> bool:
    """Whether a date lies in the range the portal accepts (None counts as no date)."""
    return value is None or EARLIEST <= value <= LATEST


# What a person types: DD-MM-YYYY (GIGW's display form; / or . also taken) or ISO YYYY-MM-DD.
_DAY_FIRST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# The HTML pattern attribute for a date input (the server parses again with parse_date). Browsers
# compile it with the `v` flag, where "-" and "/" must be escaped inside a class.
DATE_INPUT_PATTERN = r"\d{1,2}[\-\/.]\d{1,2}[\-\/.]\d{4}|\d{4}-\d{2}-\d{2}"


def parse_date(raw: str | None) -> date:
    """A DD-MM-YYYY or YYYY-MM-DD text as a date; ValueError for anything else (31-02-2026 too)."""
    text = str(raw or "").strip()
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError(text)
    return date(year, month, day)


def parse_iso_date(raw: str | None) -> date | None:
    """A DD-MM-YYYY or YYYY-MM-DD query value inside the accepted range, else None (never an error)."""
    try:
        value = parse_date(str(raw or "").strip()[:10])
    except ValueError:
        return None
    return value if in_range(value) else None


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the month's end: 31-01 + 1 → 28-02."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


def days_band(on: date, today: date, limits) -> int | None:
    """The tightest of ``limits`` (days before ``on``) that ``today`` is within; None once ``on``
    has passed or while it is further off than every limit."""
    days = (on - today).days
    if days < 0:
        return None
    return next((limit for limit in sorted(limits) if days <= limit), None)
