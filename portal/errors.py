"""One place that answers errors: JSON under /api, HTML elsewhere, each with a logged reference id."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from portal import db

log = logging.getLogger("portal.errors")

RETRY_AFTER_DB_DOWN_S = 5
UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE; SQLite says "UNIQUE constraint failed"


class ServiceError(Exception):
    """A change was refused for a reason the user can act on; nothing was written.

    Raising one rolls back what the current request or command wrote so far, and the request
    then ends with a rollback instead of a commit (``portal.db.refuse_change``).
    """

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status
        db.refuse_change()

    @property
    def headers(self) -> dict[str, str]:
        """The response headers this refusal calls for (none, unless it is throttling)."""
        return {}


class Throttled(ServiceError):
    """Too many of something from one address: a 429 that says when to try again."""

    def __init__(self, message: str, *, retry_after_s: int = 3600):
        super().__init__(message, status=429)
        self.retry_after_s = retry_after_s

    @property
    def headers(self) -> dict[str, str]:
        """Retry-After, in seconds."""
        return {"Retry-After": str(self.retry_after_s)}


class ConflictError(ServiceError):
    """Someone else saved the record since this form was loaded."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or _(
                "Someone else changed this record since you opened it. "
                "Reload to see their changes, then make yours again."
            ),
            status=409,
        )


MESSAGES = {
    400: _l("The request could not be understood. Check the form and try again."),
    401: _l("Sign in to continue."),
    403: _l("You do not have permission to open this page."),
    404: _l("We could not find that page."),
    405: _l("That action is not allowed here."),
    409: _l("The record changed while you were editing it."),
    413: _l("The upload is larger than the portal accepts."),
    429: _l("Too many attempts. Wait a few minutes and try again."),
    500: _l("Something went wrong on our side. The team has been told."),
    503: _l("The portal is briefly unavailable. Please try again in a few seconds."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(
    status: int,
    message: str | None = None,
    headers: dict | None = None,
    reference: str | None = None,
):
    """Render an error as JSON or HTML with a reference id that also goes to the log.

    Whatever the request wrote before failing is rolled back: an error page never commits.
    """
    db.rollback()
    message = str(message or MESSAGES.get(status, MESSAGES[500]))
    if reference is None:
        reference = secrets.token_hex(6)
        log.log(
            logging.ERROR if status >= 500 else logging.INFO,
            "HTTP %s on %s %s ref=%s",
            status,
            request.method,
            request.path,
            reference,
        )
    if _wants_json():
        response = jsonify(
            {"error": {"status": status, "message": message, "reference": reference}}
        )
    else:
        response = render_template(
            "errors/error.html", status=status, message=message, reference=reference
        )
    return response, status, headers or {}


def init_app(app: Flask) -> None:
    """Register the handlers for HTTP errors, CSRF failures, database outages and crashes."""

    @app.errorhandler(CSRFError)
    def csrf_failed(_error):
        return error_response(
            400,
            _(
                "This form has expired or was sent from another site. Reload the page and try again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        headers = {}
        if error.code == 405 and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
        if error.code == 429 and error.description and error.description.isdigit():
            headers["Retry-After"] = error.description
        if error.code == 401 and _wants_json():
            headers["WWW-Authenticate"] = "Bearer"
        return error_response(error.code or 500, headers=headers)

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        return error_response(error.status, error.message)

    @app.errorhandler(DataError)
    def unstorable_value(_error):
        # e.g. a NUL byte or an out-of-range number reaching PostgreSQL from a query parameter
        return error_response(400, _("The request contained a value the portal cannot use."))

    @app.errorhandler(IntegrityError)
    def saved_at_the_same_moment(error: IntegrityError):
        # Each service checks "already exists" first (portal.db.taken); the unique index refuses
        # only what two requests saved at once, after both had checked.
        if not _is_unique_violation(error):
            return crash(error)
        log.warning("a unique index refused a row saved at the same moment: %s", request.path)
        return error_response(
            409,
            _(
                "Someone saved a record with the same name or number a moment ago. "
                "Reload the page to see it, then try again."
            ),
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_unavailable(error):
        if isinstance(error, DBAPIError) and not _is_connection_problem(error):
            return crash(error)
        log.warning("database unavailable: %s", type(error.orig).__name__)
        # Render as anonymous: loading the signed-in user would need the database again.
        g._login_user = current_app.login_manager.anonymous_user()
        return error_response(503, headers={"Retry-After": str(RETRY_AFTER_DB_DOWN_S)})

    @app.errorhandler(Exception)
    def crash(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        reference = secrets.token_hex(6)
        log.exception("unhandled error on %s %s ref=%s", request.method, request.path, reference)
        return error_response(500, reference=reference)


def _is_unique_violation(error: IntegrityError) -> bool:
    orig = error.orig
    return getattr(orig, "sqlstate", None) == UNIQUE_VIOLATION or (
        "UNIQUE constraint failed" in str(orig)
    )


def _is_connection_problem(error: DBAPIError) -> bool:
    return bool(error.connection_invalidated) or isinstance(error, OperationalError)
