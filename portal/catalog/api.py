"""JSON API: the catalog list (same filters as the page) and one technology, with ETags."""

from __future__ import annotations

import hashlib
import json

from flask import Response, abort, current_app, request, url_for

from portal import db
from portal.catalog import api_bp
from portal.catalog.loaders import technology_by_slug
from portal.catalog.queries import PER_PAGE, CatalogFilters, find_technologies
from portal.catalog.schemas import to_public
from portal.patents.queries import patents_of

MAX_PER_PAGE = 100


def _per_page(raw: str | None) -> int:
    try:
        value = int(str(raw or PER_PAGE).strip()[:4])
    except ValueError:
        return PER_PAGE
    return min(max(value, 1), MAX_PER_PAGE)


def _json_with_etag(payload: dict) -> Response:
    """JSON with a strong ETag; an If-None-Match that matches answers 304 with no body."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


def _urls(slug: str) -> tuple[str, str]:
    return (
        url_for("catalog.detail", slug=slug, _external=True),
        url_for("catalog_api.technology", slug=slug, _external=True),
    )


@api_bp.get("/technologies")
def technologies():
    """Published technologies matching the page's filters, one page at a time."""
    filters = CatalogFilters.from_args(request.args)
    per_page = _per_page(request.args.get("per_page"))
    result = find_technologies(db.session(), filters, per_page=per_page, with_facets=False)
    items = [to_public(t, *_urls(t.slug)) for t in result.items]
    next_url = None
    if result.has_next:
        args = filters.to_args(page=filters.page + 1)
        if per_page != PER_PAGE:
            args["per_page"] = per_page
        next_url = url_for("catalog_api.technologies", _external=True, **args)
    return _json_with_etag({"items": items, "total": result.total, "next": next_url})


@api_bp.get("/technologies/<slug>")
def technology(slug: str):
    """One published technology with its description and story."""
    session = db.session()
    found = technology_by_slug(session, slug)
    if found is None or not found.is_public:
        abort(404)
    patents = patents_of(db.session(), found)
    return _json_with_etag(to_public(found, *_urls(found.slug), detail=True, patents=patents))
