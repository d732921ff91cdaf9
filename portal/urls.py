"""Absolute links are built on PORTAL_BASE_URL, never on the Host header a client sent.

`PortalFlask.url_for` is Flask's, except that every absolute URL (``_external=True`` in code and
templates, and every URL built outside a request, e.g. in mail sent by a command) starts with
`base_url()`. So an API `url` field, a code snippet, a CSV column or a mailed link cannot be
pointed at another site by a forged ``Host`` or ``X-Forwarded-Host``.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import Flask, current_app, has_request_context, request
from flask.globals import _cv_request
from werkzeug.routing import BuildError, MapAdapter

# Development without PORTAL_BASE_URL, outside any request (a command sending mail).
DEVELOPMENT_FALLBACK = "http://127.0.0.1:5000"
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def base_url() -> str:
    """The portal's public address, without a trailing slash."""
    configured = (current_app.config.get("BASE_URL") or "").rstrip("/")
    if configured:
        return configured
    if has_request_context():
        # Development only (production requires PORTAL_BASE_URL): the address the server listens
        # on. Werkzeug's server fills SERVER_NAME/SERVER_PORT from its socket, not from the Host
        # header, so `make run PORT=8080` links to :8080 and a forged Host changes nothing.
        environ = request.environ
        scheme = environ.get("wsgi.url_scheme", "http")
        host = environ.get("SERVER_NAME") or "127.0.0.1"
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"  # an IPv6 address
        port = str(environ.get("SERVER_PORT") or "")
        if port and port != _DEFAULT_PORTS.get(scheme):
            host = f"{host}:{port}"
        return f"{scheme}://{host}"
    return DEVELOPMENT_FALLBACK


def base_host() -> str:
    """The host name of the public address (what production accepts in the Host header)."""
    return urlsplit(base_url()).hostname or ""


def _base_adapter(app: Flask) -> MapAdapter:
    parts = urlsplit(base_url())
    return app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )


class PortalFlask(Flask):
    """The Flask application class of the portal: absolute URLs come from `base_url()`."""

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values,
    ) -> str:
        """Flask's url_for; absolute URLs (and URLs built outside a request) use `base_url()`."""
        request_context = _cv_request.get(None)
        if _external is None:
            _external = _scheme is not None or request_context is None
        bound = request_context is not None and request_context.url_adapter is not None
        if bound and not _external:
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, **values)
        # From here: an absolute URL, a URL outside any request, or a request whose Host was
        # refused (its error page still needs links).
        if endpoint[:1] == "." and request_context is not None:
            blueprint = request_context.request.blueprint
            endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
        self.inject_url_defaults(endpoint, values)
        try:
            url = _base_adapter(self).build(
                endpoint, values, method=_method, url_scheme=_scheme, force_external=_external
            )
        except BuildError as error:
            values.update(_anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external)
            return self.handle_url_build_error(error, endpoint, values)
        if _anchor is not None:
            url = f"{url}#{quote(_anchor, safe='%!#$&()*+,/:;=?@')}"
        return url
