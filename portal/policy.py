"""Who may call which route: the one table every request is checked against (deny by default).

Each endpoint names the roles allowed to reach it and, where records belong to an organisation,
the object rule its loader applies (another organisation's record answers 404, never 403).
A test walks app.url_map and fails when an endpoint is missing here.

``token=`` marks the routes a personal API token may call (the JSON API and the data downloads)
and the scope it needs there. Everywhere else a bearer token is ignored: it is never a sign-in
for an HTML page. A write route added to the API names a write scope (a test checks that).
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.vocabulary import TokenScope

ANONYMOUS = "anonymous"
PARTNER = "partner"
STAFF = "staff"
ADMIN = "admin"
ALL_ROLES = (ANONYMOUS, PARTNER, STAFF, ADMIN)


@dataclass(frozen=True)
class Access:
    roles: frozenset[str]
    objects: str = ""
    # The scope a personal API token needs on this route; None: tokens are ignored here.
    token: str | None = None


def allow(*roles: str, objects: str = "", token: str | None = None) -> Access:
    """An entry of the table: these roles may call the route; `objects` says the record rule;
    `token` the scope a personal API token needs to call it (None: a token is no sign-in here)."""
    return Access(frozenset(roles), objects, token)


READ = TokenScope.READ
VISIBLE = "visible datasets only (access.visible_datasets_clause); others 404"


PUBLIC = allow(*ALL_ROLES)
SIGNED_IN = allow(PARTNER, STAFF, ADMIN)
PARTNERS = allow(PARTNER)
STAFF_ONLY = allow(STAFF, ADMIN)
ADMIN_ONLY = allow(ADMIN)
PUBLIC_API = allow(*ALL_ROLES, token=READ)
PUBLISHED_TECHNOLOGY = allow(*ALL_ROLES, objects="unpublished/archived: staff only, else 404")
# Dataset pages and their data: the loader applies access.visible_datasets_clause; others 404.
VISIBLE_DATASET = allow(*ALL_ROLES, objects=VISIBLE)
VISIBLE_DATASET_DATA = allow(*ALL_ROLES, objects=VISIBLE, token=READ)
OWN_AGREEMENTS_API = allow(
    PARTNER, STAFF, ADMIN, objects="partner: own organisation; staff: responsible for", token=READ
)

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
    "accounts.admin_invitation_sent": STAFF_ONLY,
    "accounts.admin_users": STAFF_ONLY,
    "accounts.admin_user_create": ADMIN_ONLY,
    "accounts.admin_user_deactivate": ADMIN_ONLY,
    "accounts.admin_user_activate": ADMIN_ONLY,
    "accounts.admin_user_end_sessions": ADMIN_ONLY,
    "accounts.admin_user_reinvite": allow(STAFF, ADMIN, objects="staff: partners only"),
    "accounts.password_forgot": PUBLIC,
    "accounts.password_reset_sent": PUBLIC,
    # The single-use link in the URL is the credential (the same answer for unknown links).
    "accounts.password_reset": PUBLIC,
    "accounts.email": SIGNED_IN,
    "accounts.email_confirm": PUBLIC,
    "accounts.admin_user_unlock": allow(STAFF, ADMIN, objects="staff: partners only"),
    "accounts.admin_user_reset_totp": ADMIN_ONLY,
    "accounts.admin_organization_deactivate": ADMIN_ONLY,
    # --- audit ---
    "audit.index": STAFF_ONLY,
    "audit.export_csv": STAFF_ONLY,
    # --- admin dashboard ---
    "admin.dashboard": STAFF_ONLY,
    # --- catalog ---
    "catalog.index": PUBLIC,
    "catalog.export_csv": PUBLIC,
    "catalog.detail": PUBLISHED_TECHNOLOGY,
    "catalog.sheet": PUBLISHED_TECHNOLOGY,
    "catalog.inquire": PUBLIC,
    "catalog.inquire_technology": allow(
        *ALL_ROLES, objects="published technologies only, else 404"
    ),
    "catalog.inquiry_sent": PUBLIC,
    "catalog.admin_index": STAFF_ONLY,
    "catalog.admin_create": STAFF_ONLY,
    "catalog.admin_edit": STAFF_ONLY,
    "catalog.admin_state_change": STAFF_ONLY,
    "catalog.admin_inquiries": STAFF_ONLY,
    "catalog.admin_inquiry": STAFF_ONLY,
    "catalog.admin_inquiry_status": STAFF_ONLY,
    "catalog.admin_inquiry_note": STAFF_ONLY,
    "catalog.admin_inquiry_convert": STAFF_ONLY,
    "catalog_api.technologies": PUBLIC_API,
    "catalog_api.technology": allow(
        ANONYMOUS,
        PARTNER,
        STAFF,
        ADMIN,
        objects="published technologies only, else 404",
        token=READ,
    ),
    # --- agreements ---
    "agreements.admin_index": STAFF_ONLY,
    "agreements.admin_create": STAFF_ONLY,
    "agreements.admin_detail": STAFF_ONLY,
    "agreements.admin_edit": STAFF_ONLY,
    "agreements.admin_transition": STAFF_ONLY,
    "agreements.admin_follow_up": STAFF_ONLY,
    "agreements.admin_document_upload": STAFF_ONLY,
    "agreements.admin_milestone_create": STAFF_ONLY,
    "agreements.admin_milestone_edit": STAFF_ONLY,
    "agreements.admin_milestone_transition": STAFF_ONLY,
    "agreements.admin_milestones": STAFF_ONLY,
    "agreements.detail": allow(
        PARTNER, STAFF, ADMIN, objects="partner: own organisation's, drafts hidden (404)"
    ),
    "agreements.milestone_detail": allow(
        PARTNER, STAFF, ADMIN, objects="partner: own organisation's agreements only (404)"
    ),
    "agreements.milestone_submit": allow(
        PARTNER, objects="own organisation's partner-owned milestones only (404)"
    ),
    "agreements.document_download": allow(
        PARTNER, STAFF, ADMIN, objects="partner: own organisation's agreements only (404)"
    ),
    "agreements.evidence_download": allow(
        PARTNER, STAFF, ADMIN, objects="partner: own organisation's milestones only (404)"
    ),
    "agreements_api.my_agreements": OWN_AGREEMENTS_API,
    "agreements_api.my_milestones": OWN_AGREEMENTS_API,
    # --- partners ---
    "partners.dashboard": allow(PARTNER, objects="own organisation only"),
    "partners.public_list": PUBLIC,
    "partners.tokens": SIGNED_IN,
    "partners.token_create": SIGNED_IN,
    "partners.token_revoke": allow(PARTNER, STAFF, ADMIN, objects="own tokens only (404)"),
    "partners.calendar": SIGNED_IN,
    "partners.calendar_create": SIGNED_IN,
    "partners.calendar_revoke": SIGNED_IN,
    # The secret in the URL is the credential (calendar apps send no cookie); unknown → 404.
    "partners.calendar_feed": PUBLIC,
    # --- licence applications ---
    "licensing.apply": allow(ANONYMOUS, PARTNER),
    "licensing.sent": PUBLIC,
    "licensing.detail": allow(PARTNER, STAFF, ADMIN, objects="partner: own organisation's (404)"),
    "licensing.plan_download": allow(
        PARTNER, STAFF, ADMIN, objects="partner: own organisation's (404)"
    ),
    "licensing.admin_index": STAFF_ONLY,
    "licensing.admin_detail": STAFF_ONLY,
    "licensing.admin_step": STAFF_ONLY,
    # --- access requests (the card is the public part of datasets.detail) ---
    "datasets.access_request": allow(PARTNER, objects="datasets with a public card only (404)"),
    "datasets.admin_access_requests": STAFF_ONLY,
    "datasets.admin_access_approve": STAFF_ONLY,
    "datasets.admin_access_decline": STAFF_ONLY,
    # --- claims checked against data ---
    "datasets.admin_claims": STAFF_ONLY,
    "datasets.admin_claim_create": STAFF_ONLY,
    "datasets.admin_claim_delete": STAFF_ONLY,
    # --- notifications (always the signed-in user's own) ---
    "notifications.index": SIGNED_IN,
    "notifications.mark_read": SIGNED_IN,
    "notifications.preference": SIGNED_IN,
    # --- datasets ---
    "datasets.index": allow(*ALL_ROLES, objects="lists visible datasets only"),
    "datasets.compare": allow(*ALL_ROLES, objects="visible datasets only"),
    "datasets.compare_data": allow(*ALL_ROLES, objects="visible datasets only"),
    "datasets.compare_curves": allow(*ALL_ROLES, objects="visible datasets only"),
    "datasets.detail": VISIBLE_DATASET,
    "datasets.cycles": VISIBLE_DATASET,
    "datasets.capacity_data": VISIBLE_DATASET,
    "datasets.voltage_data": VISIBLE_DATASET,
    "datasets.dqdv_data": VISIBLE_DATASET,
    "datasets.download": VISIBLE_DATASET_DATA,
    "datasets.download_bdf": VISIBLE_DATASET_DATA,
    "datasets.download_bdf_metadata": VISIBLE_DATASET_DATA,
    "datasets.admin_index": STAFF_ONLY,
    "datasets.admin_create": STAFF_ONLY,
    "datasets.admin_detail": STAFF_ONLY,
    "datasets.admin_edit": STAFF_ONLY,
    "datasets.admin_upload": STAFF_ONLY,
    "datasets.admin_reingest": STAFF_ONLY,
    "datasets.admin_retry": STAFF_ONLY,
    "datasets.admin_file_progress": STAFF_ONLY,
    "datasets.admin_file_delete": STAFF_ONLY,
    "datasets.admin_delete": STAFF_ONLY,
    "datasets.admin_grant": STAFF_ONLY,
    "datasets.admin_revoke": STAFF_ONLY,
    # --- resumable (tus) uploads ---
    "resumable.create": STAFF_ONLY,
    "resumable.upload": allow(STAFF, ADMIN, objects="own uploads only; another user's id is 404"),
    "resumable.result": allow(STAFF, ADMIN, objects="own uploads only; another user's id is 404"),
    "datasets_api.datasets": allow(*ALL_ROLES, objects="lists visible datasets only", token=READ),
    "datasets_api.dataset": VISIBLE_DATASET_DATA,
    "datasets_api.cycles": VISIBLE_DATASET_DATA,
    # --- patents ---
    "patents.admin_list": STAFF_ONLY,
    "patents.admin_edit": STAFF_ONLY,
    "patents.admin_delete": STAFF_ONLY,
    "patents.admin_renewals": STAFF_ONLY,
    # --- feeds and open metadata (public records only) ---
    "feeds.technologies_feed": PUBLIC,
    "feeds.datasets_feed": PUBLIC,
    "feeds.dcat": PUBLIC,
    # --- saved-search alerts (the secret in the mailed link is the credential; unknown → 404) ---
    "alerts.subscribe": PUBLIC,
    "alerts.sent": PUBLIC,
    "alerts.confirm": PUBLIC,
    "alerts.unsubscribe": PUBLIC,
    # --- royalties ---
    "royalties.file_report": allow(
        PARTNER, STAFF, ADMIN, objects="partner: own organisation's licences only (404)"
    ),
    "royalties.admin_payment": STAFF_ONLY,
    "royalties.admin_index": STAFF_ONLY,
    "royalties.admin_export": STAFF_ONLY,
    # --- api ---
    "api.openapi": PUBLIC_API,
    # --- pages: GIGW policies, help, feedback, sitemaps ---
    "pages.show": PUBLIC,
    "pages.feedback": PUBLIC,
    "pages.feedback_sent": PUBLIC,
    "pages.sitemap": PUBLIC,
    "pages.sitemap_xml": PUBLIC,
    "pages.robots": PUBLIC,
    "pages.admin_index": STAFF_ONLY,
    "pages.admin_edit": STAFF_ONLY,
}

# The routes a personal API token reaches: the JSON API and the data downloads (README names them).
TOKEN_ROUTES = frozenset(endpoint for endpoint, access in POLICY.items() if access.token)
