"""Calendar helpers shared by every domain: India's today, and the range of dates we accept."""

from __future__ import annotations

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


def parse_iso_date(raw: str | None) -> date | None:
    """A YYYY-MM-DD query value inside the accepted range, else None (never an error)."""
    try:
        value = date.fromisoformat(str(raw or "").strip()[:10])
    except ValueError:
        return None
    return value if in_range(value) else None


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the month's end: 31-01 + 1 → 28-02."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))
