"""The page cache in front of Flask: a stored page goes back exactly as the first visitor got it,
before any session, user or SQL, and only to visitors who could not have been shown anything else."""

from __future__ import annotations

from sqlmodel import select

from portal.accounts.models import ApiToken
from tests.factories import make_technology, make_user
from tests.helpers import counting_statements

PAGE = "/technologies?chemistry=na_ion"
PASSWORD = "correct horse battery staple"


def test_a_stored_page_keeps_every_header_the_first_visitor_got(app, client, db):
    make_technology(db, slug="na-pouch", title="Sodium pouch", chemistry="na_ion")
    first = client.get(PAGE)
    with counting_statements(app) as statements:
        again = client.get(PAGE)
    assert statements == []
    assert again.data == first.data and again.status_code == 200
    for header in ("Content-Security-Policy", "X-Frame-Options", "Cache-Control", "ETag", "Vary"):
        assert again.headers[header] == first.headers[header], header
    assert again.headers["Cache-Control"].startswith("public")
    assert "Set-Cookie" not in again.headers


def test_head_and_a_conditional_get_are_answered_from_the_store(app, client, db):
    make_technology(db, slug="na-pouch", title="Sodium pouch", chemistry="na_ion")
    etag = client.get(PAGE).headers["ETag"]
    with counting_statements(app) as statements:
        head = client.head(PAGE)
        not_modified = client.get(PAGE, headers={"If-None-Match": f"W/{etag}, {etag}"})
        changed = client.get(PAGE, headers={"If-None-Match": '"something-else"'})
    assert statements == []
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == etag
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert not_modified.headers["ETag"] == etag and "Content-Type" not in not_modified.headers
    assert changed.status_code == 200 and b"Sodium pouch" in changed.data


def test_a_signed_in_visitor_never_gets_the_stored_anonymous_page(app, client, db):
    make_technology(db, slug="na-pouch", title="Sodium pouch", chemistry="na_ion")
    partner = make_user(db, role="partner", password=PASSWORD)
    anonymous = client.get(PAGE)
    client.post_form("/login", {"email": partner.email, "password": PASSWORD})
    personal = client.get(PAGE)
    assert personal.headers["Cache-Control"] == "no-store"
    assert personal.data != anonymous.data  # the signed-in header, not the visitor's


def test_a_bearer_token_request_is_not_answered_from_the_store(app, client, db):
    make_technology(db, slug="na-pouch", title="Sodium pouch", chemistry="na_ion")
    user = make_user(db, role="partner")
    result = app.test_cli_runner().invoke(args=["create-token", user.email, "--name", "nb"])
    token = result.output.strip().splitlines()[-1]
    client.get("/api/v1/technologies")  # stored for anonymous visitors
    response = client.get("/api/v1/technologies", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and "public" not in response.headers["Cache-Control"]
    assert db.exec(select(ApiToken)).one().last_used_at is not None  # Flask saw the token


def test_each_language_address_and_preference_has_its_own_entry(client, db):
    make_technology(db, slug="na-pouch", title="Sodium pouch", chemistry="na_ion")
    english = client.get(PAGE)
    hindi = client.get("/hi" + PAGE)
    preferred = client.get(PAGE, headers={"Accept-Language": "hi-IN,hi;q=0.9"})
    assert b'<html lang="en">' in english.data
    assert b'<html lang="hi">' in hindi.data and b'<html lang="hi">' in preferred.data
    assert b'<html lang="en">' in client.get(PAGE).data  # the Hindi views stored apart


def test_only_successful_shared_pages_are_stored(app, client, db):
    assert client.get("/technologies/no-such-thing").status_code == 404
    with counting_statements(app) as statements:
        missing = client.get("/technologies/no-such-thing")
    assert missing.status_code == 404 and statements != []  # a 404 is rendered afresh
    assert "public" not in missing.headers.get("Cache-Control", "")
    assert "public" not in client.get("/login").headers.get("Cache-Control", "")


def test_the_cache_can_be_switched_off(app, client, db):
    app.config["RESPONSE_CACHE"] = False
    make_technology(db, slug="na-pouch", title="Sodium pouch", chemistry="na_ion")
    client.get(PAGE)
    with counting_statements(app) as statements:
        client.get(PAGE)
    assert statements != []


def test_an_unreachable_cache_serves_the_page_from_flask(app, client, db, monkeypatch):
    from portal.page_cache import PageCache

    make_technology(db, slug="na-pouch", title="Sodium pouch", chemistry="na_ion")
    layer = app.wsgi_app
    while not isinstance(layer, PageCache):
        layer = layer.wsgi_app  # (ProxyFix may wrap it)

    def down(*_args, **_kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(layer.backend, "get_many", down)
    monkeypatch.setattr(layer.backend, "set", down)
    page = client.get(PAGE)
    assert page.status_code == 200 and b"Sodium pouch" in page.data


def test_a_change_saved_while_the_cache_is_down_still_succeeds(app, db, monkeypatch):
    from portal import caching

    technology = make_technology(db, slug="na-pouch", title="Sodium pouch", chemistry="na_ion")

    def down(*_args, **_kwargs):
        raise ConnectionError("redis is down")

    with app.app_context():
        monkeypatch.setattr(caching.cache.cache, "set", down)
        monkeypatch.setattr(caching.cache.cache, "inc", down, raising=False)
    technology.title = "Renamed while the cache is down"
    db.add(technology)
    db.commit()  # the commit hook must not raise
    db.refresh(technology)
    assert technology.title == "Renamed while the cache is down"
