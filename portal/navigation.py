"""Navigation per role: one list, filtered to the routes that exist and the user may open."""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.policy import POLICY
from portal.security import role_of

NAV_ITEMS = [
    ("catalog.index", _l("Technologies")),
    ("datasets.index", _l("Datasets")),
    ("partners.public_list", _l("Partners")),
    ("partners.dashboard", _l("My dashboard")),
    ("admin.dashboard", _l("Dashboard")),
    ("catalog.admin_index", _l("Manage technologies")),
    ("catalog.admin_inquiries", _l("Inquiries")),
    ("licensing.admin_index", _l("Applications")),
    ("agreements.admin_index", _l("Agreements")),
    ("datasets.admin_index", _l("Manage datasets")),
    ("accounts.admin_organizations", _l("Organisations")),
    ("accounts.admin_users", _l("Users")),
    ("audit.index", _l("Audit log")),
]
# Staff menus must fit one line at 1366 px: these stay one click away on the staff dashboard
# (the public partners page, and the audit log under "Recent activity").
HIDDEN_FOR_STAFF = {"partners.public_list", "audit.index"}


def nav_items() -> list[tuple[str, str]]:
    """The menu entries the current user may open."""
    role = role_of(current_user)
    staff = role in ("staff", "admin")
    return [
        (endpoint, label)
        for endpoint, label in NAV_ITEMS
        if endpoint in current_app.view_functions
        and endpoint in POLICY
        and role in POLICY[endpoint].roles
        and not (staff and endpoint in HIDDEN_FOR_STAFF)
    ]


def init_app(app: Flask) -> None:
    """Expose the menu and the locale to every template."""

    @app.context_processor
    def navigation_context():
        return {
            "nav_items": nav_items(),
            "current_locale": str(get_locale() or "en"),
            "has_endpoint": lambda endpoint: endpoint in current_app.view_functions,
        }
