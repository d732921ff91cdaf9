"""Security headers on every kind of response: pages, errors, static files, JSON, redirects."""

from __future__ import annotations

import pytest

from portal.policy import POLICY, PUBLIC

REQUIRED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def assert_hardened(response) -> None:
    for header, value in REQUIRED.items():
        assert response.headers.get(header) == value, header
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/login",
        "/healthz",
        "/readyz",
        "/static/css/portal.css",
        "/no/such/page",
        "/api/v1/openapi.json",
        "/api/v1/no-such-thing",
        "/admin",
    ],
)
def test_public_responses_are_hardened(client, path):
    assert_hardened(client.get(path))


def test_method_not_allowed_and_csrf_errors_are_hardened(client):
    assert_hardened(client.delete("/login"))
    assert_hardened(client.post("/login", data={}))


def test_server_error_is_hardened_and_leaks_nothing(app, client, monkeypatch, caplog):
    def boom():
        raise RuntimeError("secret internals: SELECT password_hash FROM user_account")

    app.add_url_rule("/boom", "boom", boom)
    monkeypatch.setitem(POLICY, "boom", PUBLIC)
    response = client.get("/boom")
    assert response.status_code == 500
    assert_hardened(response)
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    reference = body.split("<code>")[1].split("</code>")[0]
    assert reference in caplog.text  # the id the user quotes is in the log


def test_authenticated_pages_are_not_cached(client, login_as):
    login_as("partner")
    response = client.get("/me")
    assert response.headers["Cache-Control"] == "no-store"
    assert_hardened(response)


def test_session_cookie_flags(client, login_as):
    login_as("partner")
    cookie = client.get_cookie("portal_session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_secure_cookie_and_hsts_in_production(app, client, login_as):
    app.config["SESSION_COOKIE_SECURE"] = True
    response = client.get("/login", base_url="https://localhost")
    assert "max-age" in response.headers["Strict-Transport-Security"]
