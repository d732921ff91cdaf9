"""Home page, liveness and readiness, language choice."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request, session
from flask_login import current_user

from portal import db
from portal.catalog.queries import featured_technologies
from portal.core import bp
from portal.core.health import database_answers
from portal.language_urls import address_in
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
    """Go back where the user was, in the chosen language: the language is in the address
    (`/hi/...`), so nothing is stored and an anonymous visitor gets no cookie."""
    language = request.form.get("language", "")
    back = safe_next(request.form.get("next"), "/")
    if language not in current_app.config["LANGUAGES"]:
        return redirect(request.script_root + back)
    if current_user.is_authenticated:
        session["language"] = language  # signed-in pages are never cached: remember it too
    languages = list(current_app.config["LANGUAGES"])
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return redirect(address_in(language, default, back, languages))
