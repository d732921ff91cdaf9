"""CSV cells that a spreadsheet will never run as formulas (CSV injection, ASVS 1.2.10)."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """Text for one CSV cell; text starting like a formula gets a leading quote, numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
