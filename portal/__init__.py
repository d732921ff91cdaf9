"""Battery Technology-Transfer Portal: the application factory."""

from __future__ import annotations

import importlib

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import caching, db, errors, formatting, jobs, navigation, security, storage, templating
from portal.config import ROOT, load_settings
from portal.language_urls import LanguagePrefix, url_language
from portal.logging_setup import configure_logging
from portal.urls import PortalFlask

babel = Babel()


# Modules that define routes, in one visible list (importing one registers its routes on its
# domain's blueprint; a domain with several audiences has one module each).
ROUTE_MODULES = (
    "portal.core.views",
    "portal.accounts.views",
    "portal.accounts.staff_views",
    "portal.audit.views",
    "portal.admin.views",
    "portal.partners.views",
    "portal.catalog.views",
    "portal.catalog.staff_views",
    "portal.catalog.api",
    "portal.agreements.views",
    "portal.agreements.staff_views",
    "portal.agreements.api",
    "portal.datasets.views",
    "portal.datasets.compare_views",
    "portal.datasets.downloads",
    "portal.datasets.bdf_downloads",
    "portal.datasets.staff_views",
    "portal.datasets.claim_views",
    "portal.datasets.request_views",
    "portal.datasets.api",
    "portal.resumable.views",
    "portal.patents.staff_views",
    "portal.royalties.views",
    "portal.feeds.views",
    "portal.alerts.views",
    "portal.api.views",
    "portal.accounts.account_views",
    "portal.notifications.views",
    "portal.licensing.views",
    "portal.licensing.staff_views",
    "portal.pages.views",
    "portal.pages.staff_views",
)


def _blueprints() -> list:
    """Every blueprint, in one visible list, with its routes registered."""
    for module in ROUTE_MODULES:
        importlib.import_module(module)
    from portal.accounts import bp as accounts
    from portal.admin import bp as admin
    from portal.agreements import api_bp as agreements_api
    from portal.agreements import bp as agreements
    from portal.alerts import bp as alerts
    from portal.api import bp as api
    from portal.audit import bp as audit
    from portal.catalog import api_bp as catalog_api
    from portal.catalog import bp as catalog
    from portal.core import bp as core
    from portal.datasets import api_bp as datasets_api
    from portal.datasets import bp as datasets
    from portal.feeds import bp as feeds
    from portal.licensing import bp as licensing
    from portal.notifications import bp as notifications
    from portal.pages import bp as pages
    from portal.partners import bp as partners
    from portal.patents import bp as patents
    from portal.resumable import bp as resumable
    from portal.royalties import bp as royalties

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
        resumable,
        patents,
        royalties,
        feeds,
        alerts,
        api,
        notifications,
        licensing,
        pages,
    ]


def _select_locale() -> str:
    if not has_request_context():  # CLI commands and mail outside a request: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = url_language() or session.get("language")
    languages = current_app.config["LANGUAGES"]
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or "en"


def create_app(config: dict | None = None) -> Flask:
    """Build the portal; `config` overrides settings read from the environment (tests use it)."""
    settings = load_settings(config)
    app = PortalFlask(
        __name__,
        instance_path=str(settings["INSTANCE_DIR"]),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(settings)
    configure_logging()
    app.wsgi_app = LanguagePrefix(app.wsgi_app, list(app.config["LANGUAGES"]))

    db.init_app(app)
    storage.init_app(app)
    jobs.init_app(app)
    security.init_app(app)
    caching.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    navigation.init_app(app)
    templating.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    for blueprint in _blueprints():
        app.register_blueprint(blueprint)

    from portal.cli import register_commands

    register_commands(app)
    # Outermost, so the page cache (installed by caching.init_app) keys on the forwarded host.
    proxies = app.config["PROXY_FIX"]
    if any(proxies.values()):
        app.wsgi_app = ProxyFix(
            app.wsgi_app,
            x_for=proxies["for"],
            x_proto=proxies["proto"],
            x_host=proxies["host"],
            x_port=proxies["port"],
            x_prefix=proxies["prefix"],
        )
    return app
