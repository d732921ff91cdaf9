"""Cacheable public pages: an anonymous GET sets no cookie; public pages carry Cache-Control,
an ETag and answer 304; a response cache (simple, or Redis DB 5 when it is running) serves
repeats without SQL, and publishing, editing or unpublishing empties it at once."""

from __future__ import annotations

import socket

import pytest

from portal import caching
from tests.factories import make_dataset, make_technology
from tests.helpers import counting_statements
from tests.routes import all_routes

REDIS_URL = "redis://127.0.0.1:6379/5"  # this branch's Redis database
PUBLIC_PAGES_OF_A_TECHNOLOGY = (
    "/",
    "/technologies",
    "/technologies?chemistry=na_ion",
    "/technologies/na-pouch",
    "/api/v1/technologies",
    "/api/v1/technologies/na-pouch",
    "/sitemap",
    "/sitemap.xml",
)


def _redis_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture(params=["simple", "redis"])
def app_config(request, app_config):
    if request.param == "redis":
        if not _redis_running():
            pytest.skip("no Redis on 127.0.0.1:6379")
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        return {**app_config, "CACHE_REDIS_URL": REDIS_URL}
    return app_config


def test_no_anonymous_get_sets_a_cookie(app, client, db):
    make_technology(db, slug="na-pouch", title="Sodium pouch")
    make_dataset(db, slug="open-data", visibility="public")
    checked, cookies = 0, {}
    for route in all_routes(app):
        if route.method != "GET" or route.endpoint == "static":
            continue
        response = client.get(route.url.replace("no-such-thing", "na-pouch"))
        if "Set-Cookie" in response.headers:
            cookies[route.url] = response.headers["Set-Cookie"][:60]
        checked += 1
    assert cookies == {}
    assert checked > 40 and client.get_cookie("portal_session") is None


def test_public_pages_are_cacheable_with_an_etag_and_304(client, db):
    make_technology(db, slug="na-pouch", title="Sodium pouch")
    for path in ("/technologies?chemistry=na_ion", "/technologies/na-pouch", "/privacy", "/"):
        first = client.get(path)
        assert first.status_code == 200
        assert first.headers["Cache-Control"] == "public, max-age=60"
        assert {"Cookie", "Accept-Language"} <= set(first.vary)
        etag = first.headers["ETag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
        assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_personal_pages_are_never_public(client, db, login_as):
    make_technology(db, slug="na-pouch", title="Sodium pouch")
    assert "public" not in client.get("/login").headers.get("Cache-Control", "")  # not listed
    login_as("partner")
    for path in ("/technologies", "/me"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path


def test_repeat_views_come_from_the_cache_without_sql(app, client, db):
    make_technology(db, slug="na-pouch", title="Sodium pouch", chemistry="na_ion")
    first = client.get("/technologies?chemistry=na_ion")
    with counting_statements(app) as statements:
        second = client.get("/technologies?chemistry=na_ion")
    assert statements == [] and second.data == first.data
    fragment = client.get("/technologies?chemistry=na_ion", headers={"HX-Request": "true"})
    assert b"<html" not in fragment.data  # htmx has its own cache entry
    hindi = client.get("/technologies?chemistry=na_ion", headers={"Accept-Language": "hi"})
    assert b'<html lang="hi">' in hindi.data  # so does each language


def test_unpublishing_removes_a_technology_from_every_cached_page_at_once(app, client, db):
    technology = make_technology(db, slug="na-pouch", title="Sodium pouch cell")
    for path in PUBLIC_PAGES_OF_A_TECHNOLOGY:
        assert b"na-pouch" in client.get(path).data, path  # now cached
    staff = app.test_client()
    staff.post_form(
        "/login", {"email": _staff(db).email, "password": "correct horse battery staple"}
    )
    response = staff.post_form(
        f"/admin/technologies/{technology.id}/unpublish", {"version": str(technology.version)}
    )
    assert response.status_code == 302
    assert client.get("/technologies/na-pouch").status_code == 404
    for path in PUBLIC_PAGES_OF_A_TECHNOLOGY:
        body = client.get(path).data
        assert b"Sodium pouch cell" not in body, path
        assert b'/technologies/na-pouch"' not in body or path == "/technologies/na-pouch", path


def test_an_edit_or_publish_made_outside_a_request_empties_the_cache_too(app, client, db):
    technology = make_technology(db, slug="na-pouch", title="Old title")
    hidden = make_technology(db, slug="later", title="Coming later", is_published=False)
    assert b"Old title" in client.get("/technologies").data
    technology.title = "New title"  # e.g. a CLI command or a script on the same database
    hidden.is_published = True
    db.add_all([technology, hidden])
    db.commit()
    page = client.get("/technologies").data
    assert b"New title" in page and b"Old title" not in page and b"Coming later" in page


def test_an_unrelated_write_keeps_the_cache(app, client, db):
    make_technology(db, slug="na-pouch", title="Sodium pouch")
    client.get("/technologies")
    with app.app_context():
        before = caching.generation()
    client.post_form(
        "/interest",
        {  # an inquiry changes no public page
            "name": "A",
            "email": "a@example.org",
            "organization_name": "B",
            "interest": "licensing",
            "message": "Please tell me more about it.",
            "website": "",
        },
    )
    with app.app_context():
        assert caching.generation() == before


def _staff(db):
    from tests.factories import make_user

    return make_user(db, role="staff", password="correct horse battery staple")
