"""Who is asking (session cookie or API token), what they may reach, and the response hardening."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask_login import AnonymousUserMixin, LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from portal import db
from portal.accounts.models import User
from portal.accounts.sessions import user_for_session_token
from portal.accounts.tokens import use_api_token
from portal.policy import ALL_ROLES, ANONYMOUS, POLICY
from portal.urls import base_url

login_manager = LoginManager()
csrf = CSRFProtect()

SESSION_TOKEN_KEY = "sid"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class Anonymous(AnonymousUserMixin):
    role = ANONYMOUS
    is_staff = False
    is_admin = False
    is_partner = False
    organization_id = None
    id = None


def role_of(user) -> str:
    """The policy role of a user object (anonymous when not signed in)."""
    return user.role if user.is_authenticated else ANONYMOUS


def init_app(app: Flask) -> None:
    """Install authentication, the policy check, CSRF and the security headers."""
    login_manager.init_app(app)
    login_manager.anonymous_user = Anonymous
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    csrf.init_app(app)
    app.before_request(_authenticate_bearer_token)
    app.before_request(_enforce_policy)
    app.before_request(_require_second_factor_enrolment)
    app.before_request(_no_csrf_secret_for_anonymous_pages)
    app.before_request(_protect_against_csrf)
    app.after_request(_harden_response)


@login_manager.user_loader
def _load_user_from_session(user_id: str) -> User | None:
    """Accept the cookie only while its server-side session record is still open."""
    token = session.get(SESSION_TOKEN_KEY)
    if not token:
        return None
    user = user_for_session_token(db.session(), token)
    if user is None or str(user.id) != user_id:
        session.clear()
        return None
    return user


def _authenticate_bearer_token() -> None:
    """A personal API token signs in only on the routes the policy opens to tokens (the JSON API
    and the data downloads), within its scopes. On any other route the header is ignored: the
    request is whatever its cookie makes it (anonymous without one), CSRF check included."""
    header = request.headers.get("Authorization", "")
    if request.routing_exception is not None or header[:7].lower() != "bearer ":
        return
    access = POLICY.get(request.endpoint or "")
    if access is None or access.token is None:
        return
    g.auth_via_token = True
    use = use_api_token(db.session(), header[7:].strip())
    # Flask-Login reads g._login_user first, so the cookie (if any) is ignored for this request.
    g._login_user = use.user if use else Anonymous()
    if use is None or must_enrol_second_factor(use.user):
        g._login_user = Anonymous()
        abort(401)
    if access.token not in use.scopes:
        abort(403)


def _enforce_policy():
    if request.endpoint is None:
        return None  # no route matched: the 404/405 handlers answer
    access = POLICY.get(request.endpoint)
    if access is None:
        current_app.logger.error("route %s is missing from portal.policy", request.endpoint)
        abort(404)
    # Routes open to every role need no user lookup (so /healthz works without a database).
    if access.roles >= set(ALL_ROLES) or role_of(current_user) in access.roles:
        return None
    if not current_user.is_authenticated:
        if request.path.startswith("/api/"):
            abort(401)
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    abort(403)


# What staff without a second factor may still reach while two-step sign-in is required.
_ENROLMENT_ENDPOINTS = {
    "accounts.totp_setup",
    "accounts.logout",
    "static",
    "core.healthz",
    "core.readyz",
    "core.set_language",
}


def must_enrol_second_factor(user) -> bool:
    """Staff without a second factor while it is required: they reach only the enrolment page,
    and their API tokens are refused until they enrol."""
    return (
        current_app.config["STAFF_TOTP"] == "required"
        and user.is_authenticated
        and user.is_staff
        and not user.totp_secret
    )


def _require_second_factor_enrolment():
    if (
        request.endpoint not in _ENROLMENT_ENDPOINTS
        and request.routing_exception is None
        and must_enrol_second_factor(current_user)
    ):
        return redirect(url_for("accounts.totp_setup"))
    return None


CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _protect_against_csrf() -> None:
    # A bearer token is never sent by a browser on its own, so such calls cannot be forged; it
    # is honoured only on the API routes the policy opens to tokens (never on an HTML form).
    # Unrouted requests (404/405, refused Host) change nothing and get their own error answer.
    if request.routing_exception is not None or g.get("auth_via_token"):
        return
    if CSRF_FIELD in session or current_user.is_authenticated:
        csrf.protect()  # the synchroniser token of this browser's session (Flask-WTF)
    elif request.method not in SAFE_METHODS:
        # This browser was never given a CSRF secret: its pages were the cacheable, cookie-less
        # ones, identical for every visitor, so they carry no token. The browser's own word on
        # where the form came from (Sec-Fetch-Site, else Origin, else Referer) must say "this
        # site"; a cross-site or unattributed POST is refused like a bad token.
        if not came_from_this_site():
            raise CSRFError("The request did not come from this site.")
        g.csrf_valid = True  # what CSRFProtect sets; forms then skip their own token check


def came_from_this_site() -> bool:
    """Whether the browser says the request came from one of this portal's pages."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source or source == "null":
        return False
    try:
        parts = urlsplit(source)
    except ValueError:
        return False
    return _origin(parts) in {_origin(urlsplit(own)) for own in (request.host_url, base_url())}


def _origin(parts) -> str:
    return f"{parts.scheme}://{parts.netloc}".lower()


def _no_csrf_secret_for_anonymous_pages() -> None:
    # Flask-WTF keeps one token per request in g; an empty one for a visitor without a CSRF
    # secret means rendering a form neither writes the session (no cookie is set) nor puts a
    # per-visitor value into the page, so the page can be cached and shared (portal.caching).
    if CSRF_FIELD not in session and not current_user.is_authenticated:
        g.setdefault(CSRF_FIELD, "")


def _harden_response(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if _is_personal(response):
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def _is_personal(response) -> bool:
    """Pages for a signed-in user, and anything setting a cookie, must never be cached."""
    if request.endpoint == "static":
        return False
    if g.get("_login_user") is not None and current_user.is_authenticated:
        return True
    # A modified session is saved as a cookie after this hook runs, so ask the session too.
    return SESSION_TOKEN_KEY in session or session.modified or "Set-Cookie" in response.headers


def safe_next(target: str | None, fallback: str) -> str:
    """Return `target` when it is a path on this site, else `fallback` (no open redirects)."""
    if not target or len(target) > 2000:
        return fallback
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return fallback
    try:
        parts = urlsplit(target)
    except ValueError:  # e.g. a malformed IPv6 netloc such as "//[::1"
        return fallback
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target
