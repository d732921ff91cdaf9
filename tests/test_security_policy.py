"""The policy table covers every route, and every route enforces it for every role."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.policy import ADMIN, ANONYMOUS, PARTNER, POLICY, STAFF
from tests.routes import all_routes


@pytest.fixture(scope="module")
def route_app(database_url, tmp_path_factory):
    return create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "k" * 40,
            "INSTANCE_DIR": tmp_path_factory.mktemp("instance"),
        }
    )


def test_every_route_is_in_the_policy_table(route_app):
    endpoints = {rule.endpoint for rule in route_app.url_map.iter_rules()}
    missing = sorted(endpoints - POLICY.keys())
    assert not missing, f"add these endpoints to portal/policy.py: {missing}"


def test_the_policy_table_names_no_vanished_routes(route_app):
    endpoints = {rule.endpoint for rule in route_app.url_map.iter_rules()}
    stale = sorted(POLICY.keys() - endpoints)
    assert not stale, f"portal/policy.py lists routes that no longer exist: {stale}"


def test_every_entry_allows_at_least_one_role():
    assert all(access.roles for access in POLICY.values())


@pytest.mark.parametrize("role", [ANONYMOUS, PARTNER, STAFF, ADMIN])
def test_route_role_matrix(app, client, login_as, role):
    """Refused roles get 401/403 or the login redirect; allowed roles never do."""
    if role != ANONYMOUS:
        login_as(role)
    token = client.csrf_token()
    failures = []
    for route in all_routes(app):
        if route.endpoint in {"accounts.logout"}:
            continue  # would end the session the sweep runs in; covered by the login tests
        headers = {"X-CSRFToken": token}
        response = client.open(route.url, method=route.method, headers=headers, data={})
        # The policy's own refusal: 401/403, or the sign-in redirect carrying next=.
        refused = response.status_code in (401, 403) or (
            response.status_code == 302 and "/login?next=" in response.headers.get("Location", "")
        )
        allowed = role in POLICY[route.endpoint].roles
        if allowed == refused:
            failures.append(
                f"{route.method} {route.url} ({route.endpoint}) -> {response.status_code}"
            )
    assert not failures, f"{role}: " + "; ".join(failures)
