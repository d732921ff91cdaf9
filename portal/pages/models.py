"""Staff-edited content pages (English and Hindi Markdown) and the public feedback form's records."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlmodel import AutoString, Field, SQLModel

from portal.db import utcnow
from portal.fields import MARKDOWN, code_field, field
from portal.vocabulary import FeedbackKind, PageSlug


class ContentPageFields(SQLModel):
    """What staff edit on a content page, declared once (form, allow-list and audit read it)."""

    title_en: str = field(_l("Title (English)"), max_length=200)
    body_en: str = field(
        _l("Text (English, Markdown)"), widget=MARKDOWN, max_length=50000, sa_type=AutoString
    )
    title_hi: str = field(
        _l("Title (Hindi)"),
        help=_l("Leave empty to show the English title."),
        default="",
        max_length=200,
    )
    body_hi: str = field(
        _l("Text (Hindi, Markdown)"),
        help=_l("Leave empty to show the English text, marked as English for screen readers."),
        widget=MARKDOWN,
        default="",
        max_length=50000,
        sa_type=AutoString,
    )


class ContentPage(ContentPageFields, table=True):
    """A content page once staff have saved it (until then the shipped text is shown)."""

    __tablename__ = "content_page"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = code_field(PageSlug, max_length=40, unique=True)
    version: int = Field(default=1)
    updated_at: datetime = Field(default_factory=utcnow)


class Feedback(SQLModel, table=True):
    """A message sent through the public feedback form (the sender's IP kept only as a hash)."""

    __tablename__ = "feedback"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)
    kind: str = code_field(FeedbackKind, max_length=20)
    message: str = Field(max_length=5000, sa_type=AutoString)
    page_url: str = Field(default="", max_length=500)
    ip_hash: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, index=True)
