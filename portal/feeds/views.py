"""Atom feeds of technologies and public datasets, and the DCAT catalogue (JSON-LD)."""

from __future__ import annotations

import json

from flask import Response, render_template, request, url_for

from portal import db
from portal.catalog.queries import CatalogFilters, filtered_query
from portal.db import utcnow
from portal.feeds import bp
from portal.feeds.metadata import dcat_catalogue
from portal.feeds.queries import FEED_ENTRIES, public_datasets

ATOM = "application/atom+xml"


def _atom(title: str, self_url: str, alternate: str, entries: list[dict]) -> Response:
    updated = max((e["updated"] for e in entries), default=utcnow())
    body = render_template(
        "feeds/atom.xml",
        title=title,
        self_url=self_url,
        alternate=alternate,
        updated=updated,
        entries=entries,
    )
    return Response(body, mimetype=ATOM)


@bp.get("/technologies.atom")
def technologies_feed():
    """New and updated technologies matching the catalog's filters, newest change first."""
    filters = CatalogFilters.from_args(request.args)
    session = db.session()
    query = filtered_query(session, filters).order_by(None)
    technologies = list(session.exec(query.limit(500)).scalars())
    technologies.sort(key=lambda t: t.updated_at, reverse=True)
    entries = [
        {
            "id": url_for("catalog.detail", slug=t.slug, _external=True),
            "title": t.title,
            "summary": t.summary,
            "link": url_for("catalog.detail", slug=t.slug, _external=True),
            "updated": t.updated_at,
            "published": t.published_at or t.updated_at,
        }
        for t in technologies[:FEED_ENTRIES]
    ]
    return _atom(
        "Battery technologies for transfer",
        url_for("feeds.technologies_feed", _external=True, **filters.to_args(page=1)),
        url_for("catalog.index", _external=True, **filters.to_args(page=1)),
        entries,
    )


@bp.get("/datasets.atom")
def datasets_feed():
    """New and updated public datasets."""
    entries = [
        {
            "id": url_for("datasets.detail", slug=d.slug, _external=True),
            "title": d.title,
            "summary": (d.description or "")[:500],
            "link": url_for("datasets.detail", slug=d.slug, _external=True),
            "updated": d.updated_at,
            "published": d.created_at,
        }
        for d, _files in public_datasets(db.session(), FEED_ENTRIES)
    ]
    return _atom(
        "Public battery test datasets",
        url_for("feeds.datasets_feed", _external=True),
        url_for("datasets.index", _external=True),
        entries,
    )


@bp.get("/datasets/catalog.jsonld")
def dcat():
    """The public datasets as a DCAT catalogue, for harvesters such as data.gov.in."""
    body = json.dumps(dcat_catalogue(public_datasets(db.session())), ensure_ascii=False, indent=1)
    return Response(body, mimetype="application/ld+json")
