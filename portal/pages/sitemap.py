"""What the sitemaps list: every public page, each with its group and last change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from portal.catalog.models import Technology
from portal.datasets.models import Dataset
from portal.pages import defaults
from portal.pages.models import ContentPage
from portal.vocabulary import PageSlug


@dataclass(frozen=True)
class Entry:
    group: object
    label: str
    path: str
    updated: date | datetime | None = None


def sitemap_entries(db: Session) -> list[Entry]:
    """The public pages in reading order: main pages, technologies, datasets, policies."""
    main = _l("Main pages")
    entries = [
        Entry(main, str(_l("Home")), url_for("core.home")),
        Entry(main, str(_l("Technologies")), url_for("catalog.index")),
        Entry(main, str(_l("Datasets")), url_for("datasets.index")),
        Entry(main, str(_l("Partners")), url_for("partners.public_list")),
        Entry(main, str(_l("Express interest")), url_for("catalog.inquire")),
        Entry(main, str(_l("Feedback")), url_for("pages.feedback")),
        Entry(main, str(_l("Sitemap")), url_for("pages.sitemap")),
    ]
    technologies = db.exec(
        select(Technology)
        .where(Technology.is_published, ~Technology.is_archived)
        .order_by(Technology.title)
    ).all()
    entries += [
        Entry(_l("Technologies"), t.title, url_for("catalog.detail", slug=t.slug), t.updated_at)
        for t in technologies
    ]
    datasets = db.exec(
        select(Dataset).where(Dataset.visibility == "public").order_by(Dataset.title)
    ).all()
    entries += [
        Entry(_l("Datasets"), d.title, url_for("datasets.detail", slug=d.slug), d.updated_at)
        for d in datasets
    ]
    saved = {p.slug: p.updated_at for p in db.exec(select(ContentPage)).all()}
    entries += [
        Entry(
            _l("Policies and help"),
            str(slug.label),
            url_for("pages.show", slug=slug.value),
            saved.get(slug.value, defaults.SHIPPED_ON),
        )
        for slug in PageSlug
    ]
    return entries
