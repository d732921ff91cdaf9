"""A record's own text in the page's language: its Hindi field on Hindi pages when staff set it.

Interface strings go through Flask-Babel; a technology's or a dataset's title and summary are
data, with optional ``<name>_hi`` fields beside the English ones. Where a Hindi page shows the
English text instead, the element says so with ``lang="en"`` (screen readers switch voice).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale
from markupsafe import Markup, escape

HINDI = "hi"


@dataclass(frozen=True)
class Localized:
    """The text to show, and whether a Hindi page fell back to the English text."""

    text: str
    fell_back: bool = False

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        return str(escape(self.text))

    def __bool__(self) -> bool:
        return bool(self.text)

    @property
    def lang_attr(self) -> Markup:
        """` lang="en"` for the element holding English text on a Hindi page, else nothing."""
        return Markup(' lang="en"') if self.fell_back else Markup("")


def page_language() -> str:
    """The language of the page being built (the default language outside a request)."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


def localized(record, name: str) -> Localized:
    """``record.<name>_hi`` on a Hindi page when it is set, else ``record.<name>``."""
    english = getattr(record, name, "") or ""
    if page_language() != HINDI:
        return Localized(english)
    hindi = (getattr(record, f"{name}_hi", "") or "").strip()
    if hindi:
        return Localized(hindi)
    return Localized(english, fell_back=bool(english))
