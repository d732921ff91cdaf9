"""Home page, liveness and readiness, language choice."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request, session, url_for

from portal import db
from portal.catalog.queries import featured_technologies
from portal.core import bp
from portal.core.health import database_answers
from portal.security import safe_next


@bp.get("/")
def home():
    """The portal's front page, with a catalog search box and the newest technologies."""
    return render_template("core/home.html", featured=featured_technologies(db.session()))


@bp.get("/healthz")
def healthz():
    """The process is up (no database access)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """The database answers; 503 with Retry-After when it does not."""
    if not database_answers():
        return jsonify(status="unavailable", database="unreachable"), 503, {"Retry-After": "5"}
    return jsonify(status="ok", database="ok")


@bp.post("/language")
def set_language():
    """Remember the chosen interface language, then go back where the user was."""
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["language"] = language
    return redirect(safe_next(request.form.get("next"), url_for("core.home")))
