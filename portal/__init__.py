"""Battery Technology-Transfer Portal: the application factory."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import db, errors, formatting, navigation, security
from portal.config import ROOT, load_settings
from portal.logging_setup import configure_logging

babel = Babel()


def _blueprints() -> list:
    """Every blueprint, in one visible list (importing a views module registers its routes)."""
    from portal.accounts.views import bp as accounts
    from portal.admin.views import bp as admin
    from portal.agreements.api import api_bp as agreements_api
    from portal.agreements.views import bp as agreements
    from portal.api.views import bp as api
    from portal.audit.views import bp as audit
    from portal.catalog.api import api_bp as catalog_api
    from portal.catalog.views import bp as catalog
    from portal.core.views import bp as core
    from portal.datasets.api import api_bp as datasets_api
    from portal.datasets.views import bp as datasets
    from portal.partners.views import bp as partners

    return [
        core,
        accounts,
        audit,
        admin,
        partners,
        catalog,
        catalog_api,
        agreements,
        agreements_api,
        datasets,
        datasets_api,
        api,
    ]


def _select_locale() -> str:
    if not has_request_context():  # CLI commands and mail outside a request: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("language")
    languages = current_app.config["LANGUAGES"]
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or "en"


def create_app(config: dict | None = None) -> Flask:
    """Build the portal; `config` overrides settings read from the environment (tests use it)."""
    settings = load_settings(config)
    app = Flask(
        __name__,
        instance_path=str(settings["INSTANCE_DIR"]),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(settings)
    configure_logging()
    if app.config["BEHIND_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    db.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    navigation.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    for blueprint in _blueprints():
        app.register_blueprint(blueprint)

    from portal.cli import register_commands

    register_commands(app)
    return app
