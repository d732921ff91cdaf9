"""Cacheable public pages: HTTP caching headers, 304s and a shared response cache.

An anonymous GET from a browser without a session cookie gets a page that is the same for every
such visitor (no cookie is set and no per-visitor CSRF token is embedded, see portal.security).
For the endpoints listed in CACHEABLE that page is

- sent with ``Cache-Control: public, max-age=PUBLIC_MAX_AGE`` and an ETag, and a matching
  ``If-None-Match`` is answered 304;
- kept in a response cache (Flask-Caching: Redis when PORTAL_CACHE_REDIS_URL is set, shared by
  every worker; an in-process simple cache otherwise) for CACHE_TIMEOUT seconds. The lookup and
  the storing happen in front of Flask (portal.page_cache); this module says what may be stored.

Invalidation is one generation number in the cache: every stored page carries it, and a commit
that changed a record shown on public pages (a technology, a dataset, a content page ...) bumps
it, so every cached page is stale at once, whichever route, API call or command made the change.
"""

from __future__ import annotations

import logging
import weakref

from flask import Flask, Response, current_app, g, has_app_context, request, session
from flask_caching import Cache
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from portal import page_cache
from portal.page_cache import PageCache

cache = Cache()

# Anonymous pages whose content depends only on the URL, the language and the database.
CACHEABLE = frozenset(
    {
        "core.home",
        "catalog.index",
        "catalog.detail",
        "catalog.inquire",
        "catalog.inquire_technology",
        "catalog.inquiry_sent",
        "catalog_api.technologies",
        "catalog_api.technology",
        "datasets.index",
        "datasets.detail",
        "datasets.compare",
        "datasets_api.datasets",
        "datasets_api.dataset",
        "partners.public_list",
        "pages.show",
        "pages.feedback",
        "pages.feedback_sent",
        "pages.sitemap",
        "pages.sitemap_xml",
        "pages.robots",
        "api.openapi",
    }
)

# Tables whose rows appear on public pages: a commit touching one of them bumps the generation.
WATCHED_TABLES = frozenset(
    {
        "technology",
        "dataset",
        "dataset_file",
        "cycle_summary",
        "organization",
        "agreement",
        "agreement_technology",
        "content_page",
    }
)
GENERATION_KEY = "portal:generation"
log = logging.getLogger(__name__)
_APPS_BY_ENGINE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def init_app(app: Flask) -> None:
    """Configure the cache backend and install the lookup, the headers and the invalidation."""
    redis_url = app.config.get("CACHE_REDIS_URL")
    cache.init_app(
        app,
        config={
            "CACHE_TYPE": "RedisCache" if redis_url else "SimpleCache",
            "CACHE_REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": "portal:",
            "CACHE_DEFAULT_TIMEOUT": app.config["CACHE_TIMEOUT"],
        },
    )
    app.after_request(_store_and_mark)
    app.wsgi_app = PageCache(app.wsgi_app, app, app.extensions["cache"][cache], GENERATION_KEY)
    # A commit made outside a request (a CLI command, a script, a test's session) still finds
    # the app whose cache it must invalidate through the engine it committed on.
    _APPS_BY_ENGINE[app.extensions["db_engine"]] = app


def has_session_cookie() -> bool:
    """Whether the browser sent a session cookie (then the page may be personal)."""
    return bool(request.cookies.get(current_app.config["SESSION_COOKIE_NAME"]))


def is_cacheable_request() -> bool:
    """An anonymous, cookie-less GET of a page whose content is the same for every visitor."""
    return (
        current_app.config["RESPONSE_CACHE"]
        and request.method in ("GET", "HEAD")
        and request.endpoint in CACHEABLE
        and not g.get("auth_via_token")
        and not has_session_cookie()
        and "Authorization" not in request.headers
        and not current_user.is_authenticated
    )


def generation() -> int:
    """The current generation of cached pages (bumped by every relevant commit)."""
    return int(cache.get(GENERATION_KEY) or 0)


def invalidate() -> None:
    """Make every cached page stale at once."""
    backend = cache.cache
    try:
        if hasattr(backend, "_write_client"):  # Redis: INCR is atomic across workers
            backend.inc(GENERATION_KEY)
        else:  # the in-process cache of a single development server
            backend.set(GENERATION_KEY, generation() + 1, timeout=0)
    except Exception:
        # The change is committed; a cache that is down serves nothing meanwhile, and what it
        # held before expires within CACHE_TIMEOUT.
        log.error("could not invalidate the page cache", exc_info=True)


def _store_and_mark(response: Response) -> Response:
    if not is_cacheable_request() or response.status_code != 200:
        return response
    if session.modified or "Set-Cookie" in response.headers or response.is_streamed:
        return response
    request.environ[page_cache.STORE_ENVIRON] = True  # the page cache in front stores it
    response.headers["Cache-Control"] = f"public, max-age={current_app.config['PUBLIC_MAX_AGE']}"
    response.vary.update(("Cookie", "Accept-Language", "HX-Request"))
    response.add_etag()
    return response.make_conditional(request)


@event.listens_for(OrmSession, "after_flush")
def _note_public_changes(session, _flush_context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if getattr(obj, "__tablename__", None) in WATCHED_TABLES:
            session.info["public_pages_changed"] = True
            return


@event.listens_for(OrmSession, "after_commit")
def _invalidate_after_commit(session) -> None:
    if not session.info.pop("public_pages_changed", False):
        return
    if has_app_context():
        invalidate()
        return
    app = _APPS_BY_ENGINE.get(session.get_bind())
    if app is not None:
        with app.app_context():
            invalidate()


@event.listens_for(OrmSession, "after_rollback")
def _forget_rolled_back_changes(session) -> None:
    session.info.pop("public_pages_changed", None)
