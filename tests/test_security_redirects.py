"""`next=` redirects never leave the site, whatever the attacker puts in them."""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.security import safe_next
from tests import factories
from tests.conftest import TEST_PASSWORD

HOSTILE = [
    "https://evil.example/",
    "//evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http:/evil.example",
    "/%2F%2Fevil.example",
    " //evil.example",
    "/\t/evil.example",
    "https:evil.example",
    "\x00//evil.example",
    "data:text/html,<script>alert(1)</script>",
]

prefixes = st.sampled_from(
    ["", "/", "//", "\\", "http:", "https://", " ", "\t", "/\\", "%2F", "javascript:"]
)


def _stays_on_site(location: str) -> bool:
    parts = urlsplit(location)
    return parts.netloc in ("", "localhost") and parts.scheme in ("", "http")


@given(st.builds(lambda p, rest: p + rest, prefixes, st.text(max_size=60)))
@settings(max_examples=400)
def test_safe_next_only_returns_local_paths(target):
    result = safe_next(target, "/fallback")
    assert result == "/fallback" or (result.startswith("/") and not result.startswith("//"))
    assert "\\" not in result and not any(ord(ch) < 32 for ch in result)


def test_login_never_redirects_off_site(app, client, db):
    user = factories.make_user(db)
    for target in HOSTILE:
        browser = app.test_client()
        response = browser.post_form(
            "/login?next=" + target, {"email": user.email, "password": TEST_PASSWORD}
        )
        assert response.status_code == 302
        assert _stays_on_site(response.headers["Location"]), (target, response.headers["Location"])


def test_local_next_is_honoured(client, db):
    user = factories.make_user(db)
    response = client.post_form(
        "/login?next=/account/password", {"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.headers["Location"].endswith("/account/password")


def test_language_switch_next_stays_on_site(client):
    for target in HOSTILE:
        response = client.post_form("/language", {"language": "hi", "next": target})
        assert _stays_on_site(response.headers["Location"])
