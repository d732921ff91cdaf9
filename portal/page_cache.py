"""The shared page cache in front of Flask: a repeat anonymous view is answered from stored bytes.

A cookie-less GET is looked up before Flask builds a request context, opens a session, loads a
user or touches the database: one round trip to the cache (the page and the current generation in
one MGET) and the stored status, headers and body go straight back, or a 304 when the browser
already holds that ETag. Flask decides what may be stored (`portal.caching` marks a response as
shareable); this layer stores exactly what that first visitor received, every header included.
"""

from __future__ import annotations

import hashlib
import logging
from functools import lru_cache

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_cookie, parse_etags, unquote_etag

KEY_ENVIRON = "portal.page_cache.key"  # set here: where this request's page would be stored
GENERATION_ENVIRON = "portal.page_cache.generation"  # the generation read before rendering
STORE_ENVIRON = "portal.page_cache.store"  # set by Flask: this response may be shared
NOT_IN_A_304 = frozenset({"content-length", "content-type", "content-encoding"})
log = logging.getLogger(__name__)


class PageCache:
    """WSGI middleware serving stored anonymous pages and storing the ones Flask marks."""

    def __init__(self, wsgi_app, flask_app, backend, generation_key: str) -> None:
        self.wsgi_app = wsgi_app
        self.config = flask_app.config
        self.backend = backend
        self.generation_key = generation_key
        self.private_cookies = frozenset(
            {
                flask_app.config["SESSION_COOKIE_NAME"],
                flask_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
            }
        )

    def __call__(self, environ, start_response):
        if not self._may_share(environ):
            return self.wsgi_app(environ, start_response)
        key = page_key(environ, tuple(self.config["LANGUAGES"]))
        try:
            generation, stored = self.backend.get_many(self.generation_key, key)
        except Exception:  # the cache is down: serve the page from Flask, uncached
            log.warning("page cache unreachable; serving without it", exc_info=True)
            return self.wsgi_app(environ, start_response)
        generation = int(generation or 0)
        if stored is not None and stored[0] == generation:
            return _answer(environ, start_response, *stored[1:])
        environ[KEY_ENVIRON] = key
        environ[GENERATION_ENVIRON] = generation
        return self._render_and_store(environ, start_response, key, generation)

    def _may_share(self, environ) -> bool:
        if not self.config["RESPONSE_CACHE"]:
            return False
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return False
        if "HTTP_AUTHORIZATION" in environ:
            return False
        cookie = environ.get("HTTP_COOKIE")
        return not cookie or not _names_any(cookie, self.private_cookies)

    def _render_and_store(self, environ, start_response, key: str, generation: int):
        captured: list = []

        def capture(status, headers, exc_info=None):
            captured[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body_parts = self.wsgi_app(environ, capture)
        if not (environ.get(STORE_ENVIRON) and _is_shareable(environ, *captured)):
            return body_parts
        try:
            body = b"".join(body_parts)
        finally:
            if hasattr(body_parts, "close"):
                body_parts.close()
        status, headers = captured
        try:
            self.backend.set(key, (generation, status, list(headers), body))
        except Exception:  # not stored this time; the visitor still gets the page
            log.warning("page cache unreachable; page not stored", exc_info=True)
        return [body]


def _is_shareable(environ, status: str = "", headers: tuple = ()) -> bool:
    # Flask marked the page shareable before its last hooks ran; check what was finally sent.
    names = {name.lower(): value for name, value in headers}
    return (
        environ["REQUEST_METHOD"] == "GET"
        and status.startswith("200 ")
        and "set-cookie" not in names
        and names.get("cache-control", "").startswith("public")
    )


def page_key(environ, languages: tuple[str, ...]) -> str:
    """Where a page is stored: the address, the visitor's language preference, htmx or not."""
    parts = (
        environ.get("wsgi.url_scheme", "http"),
        environ.get("HTTP_HOST", ""),
        environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        # The address may name the language (/hi/...); the preference still shapes the page's
        # language links, so both are part of the key.
        preferred_language(environ.get("HTTP_ACCEPT_LANGUAGE", ""), languages),
        "htmx" if environ.get("HTTP_HX_REQUEST") else "page",
    )
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@lru_cache(maxsize=256)
def preferred_language(header: str, languages: tuple[str, ...]) -> str:
    """The best of `languages` for an Accept-Language header ('' when none matches)."""
    return parse_accept_header(header, LanguageAccept).best_match(languages) or ""


def _names_any(cookie_header: str, names: frozenset[str]) -> bool:
    cookies = parse_cookie(cookie_header)
    return any(name in cookies for name in names)


def _answer(environ, start_response, status: str, headers: list, body: bytes):
    etag = next((value for name, value in headers if name.lower() == "etag"), None)
    if etag and _browser_has(environ.get("HTTP_IF_NONE_MATCH"), etag):
        start_response("304 NOT MODIFIED", [h for h in headers if h[0].lower() not in NOT_IN_A_304])
        return []
    start_response(status, headers)
    return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]


def _browser_has(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    return parse_etags(if_none_match).contains_weak(unquote_etag(etag)[0])
