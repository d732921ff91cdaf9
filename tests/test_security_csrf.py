"""Every state-changing route refuses a request without a valid CSRF token, and changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from portal.audit.models import AuditEntry
from portal.policy import POLICY
from tests.routes import state_changing_routes


@pytest.mark.parametrize("role", ["partner", "staff", "admin"])
def test_state_changing_routes_need_a_csrf_token(app, client, db, login_as, role):
    login_as(role)
    audit_before = db.exec(select(func.count(AuditEntry.id))).one()
    checked = 0
    for route in state_changing_routes(app):
        if role not in POLICY[route.endpoint].roles:
            continue
        for token in (
            None,
            "forged-token",
            "IjRmZjA1YjBjZjYwNWZkNTQ0YmE1MWQ1MTMzMjZlNjc3NDQ3Yjk2YzMi.aQ.bad",
        ):
            headers = {"X-CSRFToken": token} if token else {}
            response = client.open(route.url, method=route.method, headers=headers, data={})
            assert response.status_code == 400, f"{route.method} {route.url} with token {token!r}"
            assert "expired or was sent from another site" in response.get_data(as_text=True)
        checked += 1
    assert checked > 0
    assert db.exec(select(func.count(AuditEntry.id))).one() == audit_before


def test_anonymous_posts_need_a_csrf_token(client):
    # With a CSRF secret in the session (a page issued one), the token is required as ever.
    with client.session_transaction() as session:
        session["csrf_token"] = "a" * 40
    assert client.post("/login", data={"email": "a@b.org", "password": "x" * 10}).status_code == 400
    assert client.post("/language", data={"language": "hi"}).status_code == 400


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "", "Referer": "https://evil.example/page"},
        {"Origin": "", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://localhost", "Sec-Fetch-Site": "same-site"},
        {"Origin": ""},  # the browser said nothing about where the form came from
    ],
)
def test_cookie_less_posts_must_come_from_this_site(client, db, headers):
    """A browser never given a CSRF secret (its pages were the shared, cacheable ones) proves the
    form came from this site by its Origin / Sec-Fetch-Site / Referer; anything else is refused."""
    forged = client.post("/language", data={"language": "hi"}, headers=headers)
    assert forged.status_code == 400
    assert "expired or was sent from another site" in forged.get_data(as_text=True)
    assert "portal_session" not in forged.headers.get("Set-Cookie", "")
    for own in (
        {"Origin": "http://localhost"},
        {"Origin": "", "Sec-Fetch-Site": "same-origin"},
        {"Origin": "", "Referer": "http://localhost/technologies"},
    ):
        assert client.post("/language", data={"language": "hi"}, headers=own).status_code == 302


def test_expired_token_is_refused(app, client, login_as):
    login_as("partner")
    token = client.csrf_token()
    app.config["WTF_CSRF_TIME_LIMIT"] = -1  # every token is now older than the limit
    response = client.post("/account/password", data={"csrf_token": token})
    assert response.status_code == 400


def test_htmx_header_token_is_accepted(client, login_as):
    login_as("partner")
    response = client.post(
        "/language",
        data={"language": "hi"},
        headers={"X-CSRFToken": client.csrf_token(), "HX-Request": "true"},
    )
    assert response.status_code == 302
