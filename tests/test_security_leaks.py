"""Nothing of organisation A reaches anyone else: every GET route crawled with A's (and B's own)
ids, searches, filters, exports, htmx fragments, the JSON API by session and by bearer token,
and the error pages; A's records answer exactly like records that do not exist; revoking a grant,
ending an agreement and disabling a user count from the very next request."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask, url_for

from portal.accounts.tokens import create_api_token
from portal.accounts.users import set_active
from tests.security_world import World, seed_world, sign_in

MISSING = 987654
NO_UPLOAD = "0" * 32  # a resumable upload id of the right shape that nobody owns
SKIP_ENDPOINTS = {"static", "accounts.logout"}
REFERENCE = re.compile(r"\b[0-9a-f]{12}\b")
CSRF = re.compile(r'(name="csrf-token" content|name="csrf_token" value)="[^"]+"')


@pytest.fixture
def world(app, db, tmp_path) -> World:
    return seed_world(app, db, tmp_path)


# --- building the crawl ------------------------------------------------------------------------


def _scenarios(world: World) -> list[dict]:
    """Argument sets for URL rules: A's records, B's own, public ones, missing ids, mismatches."""
    a, b = world.a, world.b
    common_a = {
        "org_id": a.organization.id,
        "user_id": a.user.id,
        "tech_id": world.draft_technology_id,
        "inquiry_id": a.inquiry_id,
        "application_id": a.application_id,
        "session_id": 1,
        "grant_id": a.grant_id,
        "patent_id": world.draft_patent_id,
        "token_id": a.api_token_id,
        "token": "no-such-invitation",
        "form": "original",
        "upload_id": NO_UPLOAD,
    }
    scenarios = []
    for party in (a, b):
        scenarios.append(
            {
                **common_a,
                "agreement_id": party.agreement_id,
                "milestone_id": party.milestone_id,
                "document_id": party.document_id,
                "evidence_id": party.evidence_id,
                "dataset_slug": party.dataset_slug,
                "file_id": party.dataset_file_id,
                "tech_slug": world.draft_slug,
                # B's own feed only: the secret URL is the credential by design.
                "secret": b.calendar_secret if party is b else "not-a-feed-secret",
            }
        )
    for form in ("csv", "parquet", "summary"):
        scenarios.append({**scenarios[0], "form": form})
    scenarios += [
        {
            **common_a,
            "agreement_id": a.draft_agreement_id,
            "milestone_id": a.submitted_milestone_id,
            "document_id": a.document_id,
            "evidence_id": a.evidence_id,
            "dataset_slug": world.unshared_dataset_slug,
            "file_id": a.dataset_file_id,
            "tech_slug": world.archived_slug,
            "secret": a.calendar_secret[:-1] + ("A" if a.calendar_secret[-1] != "A" else "B"),
        },
        {
            **common_a,
            # A's document under B's agreement; A's file under the public dataset.
            "agreement_id": b.agreement_id,
            "document_id": a.document_id,
            "milestone_id": MISSING,
            "evidence_id": MISSING,
            "dataset_slug": world.public_dataset_slug,
            "file_id": a.dataset_file_id,
            "tech_slug": world.published_slug,
            "secret": "x" * 43,
        },
        {
            "agreement_id": MISSING,
            "milestone_id": MISSING,
            "document_id": MISSING,
            "evidence_id": MISSING,
            "dataset_slug": "no-such-dataset",
            "file_id": MISSING,
            "tech_slug": "no-such-technology",
            "org_id": MISSING,
            "user_id": MISSING,
            "tech_id": MISSING,
            "inquiry_id": MISSING,
            "application_id": MISSING,
            "session_id": MISSING,
            "grant_id": MISSING,
            "patent_id": MISSING,
            "token_id": MISSING,
            "upload_id": NO_UPLOAD,
            "token": "x",
            "form": "csv",
            "secret": "y",
        },
    ]
    return scenarios


def _query_variants(world: World) -> list[str]:
    a = world.a
    return [
        "",
        f"?q={a.marker}",
        f"?q={world.staff_marker}",
        f"?org={a.organization.id}&organization={a.organization.id}&status=active&kind=mou",
        f"?technology={world.published_slug}&chemistry=na_ion&test_type=cycle_life&page=1",
        f"?d={a.dataset_slug}&d={world.unshared_dataset_slug}&d={world.public_dataset_slug}",
        f"?cycles=1,2&state=draft&actor={a.marker.lower()}&action=dataset.granted&role=partner",
        "?state=archived&include=archived&sort=-title&page=2",
    ]


def crawl_urls(app: Flask, world: World) -> list[str]:
    """Every GET route filled with every scenario; list routes with every query variant."""
    urls: set[str] = set()
    queries = _query_variants(world)
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint in SKIP_ENDPOINTS or "GET" not in (rule.methods or ()):
                continue
            if not rule.arguments or rule.defaults:  # a content page's rule fixes its slug
                base = url_for(rule.endpoint, **(rule.defaults or {}))
                urls.update(base + query for query in queries)
                continue
            for scenario in _scenarios(world):
                values = {}
                for name in rule.arguments:
                    key = name
                    if name == "slug":
                        catalog = rule.endpoint.startswith("catalog")
                        key = "tech_slug" if catalog else "dataset_slug"
                    values[name] = scenario[key]
                url = url_for(rule.endpoint, **values)
                urls.add(url)
                urls.add(url + f"?cycles=1&page=1&q={world.a.marker}")
    return sorted(urls)


def fetch_all(client, urls: list[str], headers: dict | None = None) -> Iterator[tuple[str, object]]:
    for url in urls:
        for extra in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers={**(headers or {}), **extra})
            yield url, response


def scan(world: World, client, urls, keys=("A", "S"), headers=None) -> tuple[list[str], str]:
    """Fetch every URL; return the leaks of `keys` and all text seen (for positive checks)."""
    leaks, seen, server_errors = [], [], []
    for url, response in fetch_all(client, urls, headers):
        if response.status_code >= 500:
            server_errors.append(f"{url} -> {response.status_code}")
        text = response.get_data(as_text=True) if not response.is_streamed else ""
        if response.is_streamed:
            text = b"".join(response.response).decode("utf-8", "replace")
        text += "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        seen.append(text)
        for key in keys:
            found = world.leaks(key, text)
            if found:
                leaks.append(f"{url} ({response.status_code}) shows {found}")
    assert not server_errors, server_errors
    return leaks, "\n".join(seen)


# --- the crawls --------------------------------------------------------------------------------


def test_partner_b_sees_nothing_of_a_anywhere(app, client, world):
    sign_in(client, world.b.user)
    urls = crawl_urls(app, world)
    assert len(urls) > 150
    leaks, seen = scan(world, client, urls)
    assert not leaks, "\n".join(leaks[:40])
    # The crawl really reached B's own data (so a blank page cannot pass for "no leak").
    b = world.b
    for name in (
        "agreement_title",
        "agreement_scope",
        "milestone_title",
        "evidence_note",
        "document_title",
        "dataset_title",
        "dataset_file",
        "token_name",
        "user_name",
    ):
        assert b.m(name) in seen, f"B never saw its own {name}"


def test_partner_b_bearer_token_sees_nothing_of_a(app, client, world):
    headers = {"Authorization": f"Bearer {world.b.api_token}"}
    urls = [u for u in crawl_urls(app, world) if u.startswith("/api/")]
    urls += ["/me", f"/agreements/{world.a.agreement_id}", f"/datasets/{world.a.dataset_slug}"]
    leaks, seen = scan(world, client, urls, headers=headers)
    assert not leaks, "\n".join(leaks[:40])
    assert world.b.m("agreement_title") in seen and world.b.m("dataset_title") in seen


def _without_b_feed(app, world: World) -> list[str]:
    # Whoever holds B's secret feed URL gets B's calendar: that is the feed's design.
    return [u for u in crawl_urls(app, world) if world.b.calendar_secret not in u]


def test_anonymous_sees_nothing_of_a_nor_staff_only_content(app, client, world):
    leaks, seen = scan(world, client, _without_b_feed(app, world), keys=("A", "B", "S"))
    assert not leaks, "\n".join(leaks[:40])
    assert "Public cycle-life data" in seen and "Published sodium cell" in seen


def test_a_disabled_partner_of_a_sees_nothing_from_the_next_request(app, client, db, world):
    colleague = world.a.colleague
    sign_in(client, colleague)
    with app.test_request_context():
        _token, raw = create_api_token(db, colleague, "soon dead")
        db.commit()
    assert world.a.m("agreement_title") in client.get("/me").get_data(as_text=True)
    with app.test_request_context():
        set_active(db, db.get(type(colleague), colleague.id), False)
        db.commit()
    leaks, _seen = scan(world, client, _without_b_feed(app, world), keys=("A", "B", "S"))
    assert not leaks, "\n".join(leaks[:40])
    bearer = client.get("/api/v1/me/agreements", headers={"Authorization": f"Bearer {raw}"})
    assert bearer.status_code == 401
    assert world.a.marker not in bearer.get_data(as_text=True)


def test_wrong_methods_and_other_errors_show_nothing_of_a(client, world):
    sign_in(client, world.b.user)
    a = world.a
    token = client.csrf_token()
    calls = [
        ("DELETE", f"/agreements/{a.agreement_id}"),
        ("PUT", f"/milestones/{a.milestone_id}"),
        ("POST", f"/milestones/{a.milestone_id}/evidence"),
        ("POST", f"/datasets/{a.dataset_slug}"),
        ("POST", f"/admin/datasets/{a.dataset_slug}/grants/{a.grant_id}/revoke"),
        ("POST", f"/me/tokens/{a.api_token_id}/revoke"),
        ("PATCH", f"/api/v1/datasets/{a.dataset_slug}"),
    ]
    for method, url in calls:
        for headers in ({"X-CSRFToken": token}, {}, {"Accept": "application/json"}):
            response = client.open(url, method=method, headers=headers, data={"note": "x"})
            assert 400 <= response.status_code < 500, (method, url, response.status_code)
            text = response.get_data(as_text=True) + str(response.headers)
            assert not world.leaks("A", text), (method, url)


# --- the same 404 -----------------------------------------------------------------------------


def _shape(response, url: str) -> tuple[int, str, str]:
    """Status, type and body with the reference id, CSRF tokens and the echoed path blanked."""
    body = response.get_data(as_text=True)
    for echoed in (url, url.replace("&", "&amp;"), url.split("?")[0]):
        body = body.replace(echoed, "PATH")
    body = CSRF.sub("CSRF", REFERENCE.sub("REF", body))
    return response.status_code, response.headers.get("Content-Type", ""), body


def test_a_records_answer_b_exactly_like_missing_ones(app, client, world):
    sign_in(client, world.b.user)
    a = world.a
    slug, fid = a.dataset_slug, a.dataset_file_id
    foreign = {
        "agreement": f"/agreements/{a.agreement_id}",
        "draft": f"/agreements/{a.draft_agreement_id}",
        "milestone": f"/milestones/{a.milestone_id}",
        "document": f"/agreements/{a.agreement_id}/documents/{a.document_id}",
        "evidence": f"/evidence/{a.evidence_id}/file",
        "dataset": f"/datasets/{slug}",
        "cycles": f"/datasets/{slug}/files/{fid}/cycles",
        "download": f"/datasets/{slug}/files/{fid}/download/original",
        "summary": f"/datasets/{slug}/files/{fid}/download/summary",
        "file-under-public": f"/datasets/{world.public_dataset_slug}/files/{fid}/cycles",
        "unshared": f"/datasets/{world.unshared_dataset_slug}",
    }
    missing = {
        "agreement": f"/agreements/{MISSING}",
        "milestone": f"/milestones/{MISSING}",
        "document": f"/agreements/{MISSING}/documents/{MISSING}",
        "evidence": f"/evidence/{MISSING}/file",
        "dataset": "/datasets/no-such-dataset",
        "cycles": f"/datasets/no-such-dataset/files/{MISSING}/cycles",
    }
    foreign_json = {
        "capacity": f"/datasets/{slug}/files/{fid}/capacity.json",
        "voltage": f"/datasets/{slug}/files/{fid}/voltage.json?cycles=1",
        "compare": f"/datasets/compare.json?d={slug}",
    }
    missing_json = {
        "capacity": f"/datasets/no-such-dataset/files/{MISSING}/capacity.json",
        "voltage": f"/datasets/no-such-dataset/files/{MISSING}/voltage.json?cycles=1",
    }
    foreign_api = {
        "api-dataset": f"/api/v1/datasets/{slug}",
        "api-cycles": f"/api/v1/datasets/{slug}/files/{fid}/cycles",
    }
    missing_api = {
        "api-dataset": "/api/v1/datasets/no-such-dataset",
        "api-cycles": f"/api/v1/datasets/no-such-dataset/files/{MISSING}/cycles",
    }
    reference = _shape(client.get(missing["agreement"]), missing["agreement"])
    assert reference[0] == 404
    for label, url in {**foreign, **missing}.items():
        assert _shape(client.get(url), url) == reference, f"{label}: {url}"
    json_reference = _shape(client.get(missing_json["capacity"]), missing_json["capacity"])
    assert json_reference[0] == 404
    for label, url in {**foreign_json, **missing_json}.items():
        if label == "compare":
            # The comparison data lists only what the caller may see: A's dataset is absent.
            response = client.get(url)
            assert response.status_code in (200, 404)
            assert slug not in response.get_data(as_text=True)
            continue
        assert _shape(client.get(url), url) == json_reference, f"{label}: {url}"
    api_reference = _shape(client.get(missing_api["api-dataset"]), missing_api["api-dataset"])
    assert api_reference[0] == 404 and "application/json" in api_reference[1]
    for label, url in {**foreign_api, **missing_api}.items():
        assert _shape(client.get(url), url) == api_reference, f"{label}: {url}"
    # The same holds through a bearer token.
    bearer = {"Authorization": f"Bearer {world.b.api_token}"}
    for url in (*foreign_api.values(), *missing_api.values()):
        assert _shape(client.get(url, headers=bearer), url) == api_reference, url


# --- access ends on the very next request ------------------------------------------------------


def _staff_client(app, world: World):
    staff = app.test_client()
    sign_in(staff, world.staff)
    return staff


def test_revoking_a_grant_counts_from_the_next_request(app, client, world):
    a = world.a
    sign_in(client, a.user)
    bearer = {"Authorization": f"Bearer {a.api_token}"}
    urls = [
        f"/datasets/{a.dataset_slug}",
        f"/datasets/{a.dataset_slug}/files/{a.dataset_file_id}/download/original",
        f"/datasets/{a.dataset_slug}/files/{a.dataset_file_id}/capacity.json",
    ]
    assert [client.get(u).status_code for u in urls] == [200, 200, 200]
    assert client.get(f"/api/v1/datasets/{a.dataset_slug}", headers=bearer).status_code == 200
    staff = _staff_client(app, world)
    revoked = staff.post_form(f"/admin/datasets/{a.dataset_slug}/grants/{a.grant_id}/revoke")
    assert revoked.status_code == 302
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]
    assert client.get(f"/api/v1/datasets/{a.dataset_slug}", headers=bearer).status_code == 404
    assert a.m("dataset_title") not in client.get("/datasets").get_data(as_text=True)
    listed = client.get("/api/v1/datasets", headers=bearer).get_json()
    assert a.dataset_slug not in [item["slug"] for item in listed["items"]]


def test_ending_an_agreement_counts_from_the_next_request(app, client, db, world):
    a = world.a
    sign_in(client, a.user)
    restricted = f"/datasets/{a.dataset_slug}"  # granted under the agreement
    for_partners = f"/datasets/{world.partners_dataset_slug}"  # needs any active agreement
    assert client.get(restricted).status_code == 200
    assert client.get(for_partners).status_code == 200
    staff = _staff_client(app, world)
    from portal.agreements.models import Agreement

    version = db.get(Agreement, a.agreement_id).version
    ended = staff.post_form(
        f"/admin/agreements/{a.agreement_id}/status",
        {"to_status": "terminated", "version": str(version), "reason": "breach"},
    )
    assert ended.status_code == 303
    db.expire_all()
    assert db.get(Agreement, a.agreement_id).status == "terminated"
    assert client.get(restricted).status_code == 404
    assert client.get(for_partners).status_code == 404
    refused = client.post_form(f"/milestones/{a.milestone_id}/evidence", {"note": "late work"})
    assert refused.status_code == 400
    db.expire_all()
    from portal.agreements.models import Milestone

    assert db.get(Milestone, a.milestone_id).status == "planned"


def test_disabling_a_user_counts_from_the_next_request(app, client, db, world):
    a = world.a
    sign_in(client, a.user)
    bearer = {"Authorization": f"Bearer {a.api_token}"}
    assert client.get("/me").status_code == 200
    assert client.get("/api/v1/me/agreements", headers=bearer).status_code == 200
    admin = app.test_client()
    sign_in(admin, world.admin)
    assert admin.post_form(f"/admin/users/{a.user.id}/deactivate").status_code == 302
    page = client.get("/me")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert client.get(f"/agreements/{a.agreement_id}").status_code == 302
    assert client.get("/api/v1/me/agreements", headers=bearer).status_code == 401
    assert client.get(f"/calendar/{a.calendar_secret}.ics").status_code == 404
    login = client.post_form("/login", {"email": a.user.email, "password": "x" * 12})
    assert login.status_code != 302


# --- error pages leak nothing ----------------------------------------------------------------

LEAKY = (
    "Traceback",
    'File "',
    "site-packages",
    ".py",
    "/work/",
    "/tmp/",
    "SELECT ",
    "user_account",
    "password_hash",
    "sqlalchemy",
    "psycopg",
    "sqlite3",
    "Werkzeug",
    "Python/",
    "gunicorn",
    "secret internals",
)


def _boom_routes(app, monkeypatch):
    """Routes that fail the ways real code fails, in the HTML and the JSON (/api) space."""
    from flask import abort
    from sqlalchemy.exc import ProgrammingError

    from portal.policy import POLICY, PUBLIC

    def sql_error():
        raise ProgrammingError(
            "SELECT password_hash FROM user_account WHERE id = ?",
            {"id": 1},
            Exception(f"secret internals at {app.root_path}/db.py line 12"),
        )

    def crash():
        raise RuntimeError(f"secret internals: {app.config['SECRET_KEY']} in {app.root_path}")

    def status(code):
        abort(code)

    for prefix in ("", "/api/v1"):
        name = prefix.strip("/").replace("/", "_") or "html"
        app.add_url_rule(f"{prefix}/boom-sql", f"boom_sql_{name}", sql_error)
        app.add_url_rule(f"{prefix}/boom-crash", f"boom_crash_{name}", crash)
        app.add_url_rule(f"{prefix}/boom/<int:code>", f"boom_status_{name}", status)
        for endpoint in ("boom_sql", "boom_crash", "boom_status"):
            monkeypatch.setitem(POLICY, f"{endpoint}_{name}", PUBLIC)


def test_error_pages_in_html_and_json_leak_nothing(app, client, db, login_as, monkeypatch):
    _boom_routes(app, monkeypatch)
    secret = app.config["SECRET_KEY"]
    responses = {}
    for prefix in ("", "/api/v1"):
        kind = "json" if prefix else "html"
        for code in (400, 401, 403, 404, 405, 409, 413, 429, 500, 503):
            responses[f"{kind} abort {code}"] = client.get(f"{prefix}/boom/{code}")
        responses[f"{kind} sql"] = client.get(f"{prefix}/boom-sql")
        responses[f"{kind} crash"] = client.get(f"{prefix}/boom-crash")
        responses[f"{kind} 404"] = client.get(f"{prefix}/no/such/thing")
    # The real ways to reach each status.
    responses["csrf 400"] = client.post(
        "/login", data={"email": "a@b.org"}, headers={"Origin": "https://evil.example"}
    )
    responses["api 401"] = client.get("/api/v1/me/agreements")
    responses["api bad token 401"] = client.get(
        "/api/v1/me/agreements", headers={"Authorization": "Bearer btp_forged"}
    )
    responses["html 405"] = client.delete("/login")
    responses["api 405"] = client.delete("/api/v1/datasets")
    app.config["MAX_CONTENT_LENGTH"] = 1000
    responses["html 413"] = client.post("/login", data={"email": "x" * 5000})
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024 * 1024
    token = client.csrf_token()
    for _ in range(12):
        last = client.post(
            "/login", data={"csrf_token": token, "email": "v@x.org", "password": "w" * 10}
        )
    responses["login 429"] = last
    login_as("partner")
    responses["partner 403"] = client.get("/admin/audit")
    statuses = {label: r.status_code for label, r in responses.items()}
    assert statuses["html sql"] == statuses["json crash"] == 500
    assert statuses["login 429"] == 429 and statuses["api 401"] == 401
    assert statuses["html 413"] == statuses["json abort 413"] == 413
    assert statuses["partner 403"] == 403 and statuses["csrf 400"] == 400
    for label, response in responses.items():
        body = response.get_data(as_text=True)
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        assert response.status_code >= 400, label
        assert secret not in body + headers, label
        found = [word for word in LEAKY if word in body + headers]
        assert not found, f"{label}: {found}"
        assert "Server" not in response.headers and "X-Powered-By" not in response.headers, label
        if label.startswith(("json", "api")):
            error = response.get_json()["error"]
            assert set(error) == {"status", "message", "reference"}, label
            assert error["status"] == response.status_code and len(error["reference"]) == 12
        elif label != "login 429":  # the login form itself says to wait
            assert re.search(r"<code>[0-9a-f]{12}</code>", body), label
