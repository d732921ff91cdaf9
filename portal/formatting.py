"""Display rules shared by every template: DD-MM-YYYY dates, ₹ with Indian grouping, safe Markdown."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import urlsplit

import nh3
from flask import Flask
from markdown_it import MarkdownIt
from markupsafe import Markup

from portal.dates import INDIA

# Raw HTML off in the parser, then nh3 as a second fence: nothing a user types becomes markup.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str | None) -> Markup:
    """Markdown to sanitised HTML."""
    html = _markdown.render(text or "")
    cleaned = nh3.clean(
        html,
        url_schemes=_ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # noqa: S704 - sanitised by nh3 just above


def web_address(value: str | None) -> str:
    """The value when it is an http(s) address with a host, else "" (so a stored `javascript:`
    or `data:` value is never rendered as a link)."""
    text = (value or "").strip()
    if not text or any(ord(ch) < 33 or ch == "\\" for ch in text):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    return text if parts.scheme.lower() in ("http", "https") and parts.hostname else ""


def format_date(value: date | datetime | None) -> str:
    """DD-MM-YYYY, as GIGW asks."""
    return value.strftime("%d-%m-%Y") if value else "—"


def format_datetime(value: datetime | None) -> str:
    """DD-MM-YYYY HH:MM IST: India's clock, whatever the server's (a naive value counts as UTC)."""
    if not value:
        return "—"
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(INDIA).strftime("%d-%m-%Y %H:%M IST")


def format_inr(amount: int | float | Decimal | None) -> str:
    """₹ with Indian digit grouping: ₹12,34,567 (paise shown only when present)."""
    if amount is None:
        return "—"
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    sign = "-" if value < 0 else ""
    rupees, paise = f"{abs(value):.2f}".split(".")
    head, tail = rupees[:-3], rupees[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    grouped = ",".join([*groups, tail]) if groups else tail
    return f"{sign}₹{grouped}" + (f".{paise}" if paise != "00" else "")


def init_app(app: Flask) -> None:
    """Register the filters with Jinja."""
    app.jinja_env.filters.update(
        markdown=render_markdown,
        date=format_date,
        datetime=format_datetime,
        inr=format_inr,
        web_address=web_address,
    )
