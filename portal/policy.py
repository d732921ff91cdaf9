"""Who may call which route: the one table every request is checked against (deny by default).

Each endpoint names the roles allowed to reach it and, where records belong to an organisation,
the object rule its loader applies (another organisation's record answers 404, never 403).
A test walks app.url_map and fails when an endpoint is missing here.
"""

from __future__ import annotations

from dataclasses import dataclass

ANONYMOUS = "anonymous"
PARTNER = "partner"
STAFF = "staff"
ADMIN = "admin"
ALL_ROLES = (ANONYMOUS, PARTNER, STAFF, ADMIN)


@dataclass(frozen=True)
class Access:
    roles: frozenset[str]
    objects: str = ""


def allow(*roles: str, objects: str = "") -> Access:
    """An entry of the table: these roles may call the route; `objects` says the record rule."""
    return Access(frozenset(roles), objects)


PUBLIC = allow(ANONYMOUS, PARTNER, STAFF, ADMIN)
SIGNED_IN = allow(PARTNER, STAFF, ADMIN)
PARTNERS = allow(PARTNER)
STAFF_ONLY = allow(STAFF, ADMIN)
ADMIN_ONLY = allow(ADMIN)

POLICY: dict[str, Access] = {
    # --- core ---
    "static": PUBLIC,
    "core.home": PUBLIC,
    "core.healthz": PUBLIC,
    "core.readyz": PUBLIC,
    "core.set_language": PUBLIC,
    # --- accounts ---
    "accounts.login": PUBLIC,
    "accounts.login_totp": PUBLIC,
    "accounts.totp_setup": SIGNED_IN,
    "accounts.totp_disable": SIGNED_IN,
    "accounts.logout": SIGNED_IN,
    "accounts.password": SIGNED_IN,
    "accounts.accept_invite": PUBLIC,
    "accounts.sessions": SIGNED_IN,
    "accounts.end_session": allow(PARTNER, STAFF, ADMIN, objects="own sessions only"),
    "accounts.admin_organizations": STAFF_ONLY,
    "accounts.admin_organization_create": STAFF_ONLY,
    "accounts.admin_organization_detail": STAFF_ONLY,
    "accounts.admin_organization_edit": STAFF_ONLY,
    "accounts.admin_invite": STAFF_ONLY,
    "accounts.admin_users": STAFF_ONLY,
    "accounts.admin_user_create": ADMIN_ONLY,
    "accounts.admin_user_deactivate": ADMIN_ONLY,
    "accounts.admin_user_activate": ADMIN_ONLY,
    "accounts.admin_user_end_sessions": ADMIN_ONLY,
    "accounts.admin_user_reinvite": STAFF_ONLY,
    # --- audit ---
    "audit.index": STAFF_ONLY,
    # --- admin dashboard ---
    "admin.dashboard": STAFF_ONLY,
    # --- catalog ---
    # --- agreements ---
    # --- partners ---
    "partners.dashboard": allow(PARTNER, objects="own organisation only"),
    # --- datasets ---
    # --- api ---
    "api.openapi": PUBLIC,
}
