"""Issue 10, finding 1 (and 5): a personal API token reaches only the API and the data downloads,
within its scopes and until it expires; it is never a sign-in for an HTML page, never satisfies
CSRF, cannot make more tokens, and dies with the sessions. Each test replays the reviewer's
attack and checks that it no longer succeeds."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pyotp
import pytest
from flask import Flask
from sqlmodel import func, select

from portal import db as portal_db
from portal.accounts.models import ApiToken, User
from portal.accounts.token_reminders import send_token_expiry_reminders
from portal.accounts.tokens import create_api_token
from portal.audit.models import AuditEntry
from portal.catalog.models import Technology
from portal.dates import local_today
from portal.partners import services as partners
from portal.policy import POLICY, READ, TOKEN_ROUTES, Access
from portal.vocabulary import TokenScope
from tests import factories
from tests.conftest import ANY_CSRF_META, TEST_PASSWORD
from tests.cycler_data import write_arbin
from tests.routes import STATE_CHANGING, all_routes


def make_token(app: Flask, user: User, **options) -> str:
    """A token for `user` made through the service, as /me/tokens would; returns the raw value."""
    with app.app_context():
        session = portal_db.session()
        _token, raw = create_api_token(session, session.get(User, user.id), "notebook", **options)
        session.commit()
        return raw


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def refused_as_anonymous(response) -> bool:
    """The answer an anonymous visitor gets on a signed-in page: the sign-in redirect."""
    return response.status_code == 302 and "/login" in response.headers["Location"]


def audit_count(db) -> int:
    return db.exec(select(func.count(AuditEntry.id))).one()


# --- the attacks of finding 1 ------------------------------------------------------------------


def test_api_token_is_not_a_sign_in_for_admin_pages(production_app, db):
    # Production mode; the admin has not set up two-step sign-in (which production requires).
    admin = factories.make_user(db, role="admin")
    raw = make_token(production_app, admin)
    attacker = production_app.test_client()
    for path in ("/admin", "/admin/users", "/admin/audit", "/me/tokens", "/account/password"):
        response = attacker.get(path, headers=bearer(raw))
        assert refused_as_anonymous(response), (path, response.status_code)
    # Nor does it read the API while its owner lacks the second factor production requires.
    assert attacker.get("/api/v1/me/agreements", headers=bearer(raw)).status_code == 401


def test_api_token_cannot_invite_an_admin_with_a_csrf_value_read_through_it(app, db):
    admin = factories.make_user(db, role="admin")
    raw = make_token(app, admin)
    attacker = app.test_client()
    page = attacker.get("/admin/users", headers=bearer(raw), follow_redirects=True)
    csrf = ANY_CSRF_META.search(page.get_data(as_text=True)).group(1)
    before = audit_count(db)
    response = attacker.post(
        "/admin/users/new",
        data={"csrf_token": csrf, "email": "evil@example.org", "name": "Evil", "role": "admin"},
        headers=bearer(raw),
    )
    assert refused_as_anonymous(response)
    assert db.exec(select(User).where(User.email == "evil@example.org")).first() is None
    assert audit_count(db) == before


def test_api_token_cannot_deactivate_a_user_without_a_csrf_value(app, db):
    admin = factories.make_user(db, role="admin")
    victim = factories.make_user(db, role="partner")
    raw = make_token(app, admin)
    response = app.test_client().post(f"/admin/users/{victim.id}/deactivate", headers=bearer(raw))
    assert refused_as_anonymous(response)
    db.refresh(victim)
    assert victim.is_active


def test_staff_token_cannot_unpublish_a_technology(app, db):
    staff = factories.make_user(db, role="staff")
    technology = factories.make_technology(db)
    raw = make_token(app, staff)
    response = app.test_client().post(
        f"/admin/technologies/{technology.id}/unpublish", headers=bearer(raw)
    )
    assert refused_as_anonymous(response)
    db.expire_all()
    assert db.get(Technology, technology.id).is_published


def test_api_token_never_satisfies_csrf_on_an_html_route(app, client, db, login_as):
    user = login_as("partner")  # a real browser session (cookie) ...
    raw = make_token(app, user)
    before = db.exec(select(func.count(ApiToken.id))).one()
    # ... plus a bearer header and no CSRF value: the form is refused as forged.
    response = client.post("/me/tokens", data={"name": "forged"}, headers=bearer(raw))
    assert response.status_code == 400
    assert "expired or was sent from another site" in response.get_data(as_text=True)
    assert db.exec(select(func.count(ApiToken.id))).one() == before


def test_a_token_cannot_create_tokens(app, db):
    user = factories.make_user(db, role="partner")
    raw = make_token(app, user)
    robot = app.test_client()
    page = robot.get("/me/tokens", headers=bearer(raw), follow_redirects=True)
    csrf = ANY_CSRF_META.search(page.get_data(as_text=True)).group(1)
    response = robot.post(
        "/me/tokens", data={"csrf_token": csrf, "name": "second key"}, headers=bearer(raw)
    )
    assert refused_as_anonymous(response)
    assert db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).all() == [
        db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    ]


def test_a_bearer_header_is_ignored_on_every_route_not_opened_to_tokens(app, db):
    """Walks the URL map: outside the token routes, an admin's token changes nothing at all."""
    admin = factories.make_user(db, role="admin", totp_secret=pyotp.random_base32())
    raw = make_token(app, admin)
    before = audit_count(db)
    checked = 0
    for route in all_routes(app):
        if POLICY[route.endpoint].token is not None:
            continue
        plain = app.test_client().open(route.url, method=route.method, data={})
        plain.get_data()  # streamed answers (CSV) finish before the next request starts
        with_token = app.test_client().open(
            route.url, method=route.method, data={}, headers=bearer(raw)
        )
        with_token.get_data()
        assert with_token.status_code == plain.status_code, (route, with_token.status_code)
        assert with_token.headers.get("Location") == plain.headers.get("Location"), route
        checked += 1
    assert checked > 50
    # Only sign-in-free reads happened: no admin action was recorded on the token's behalf.
    actors = db.exec(select(AuditEntry.actor_id).where(AuditEntry.id > before)).all()
    assert admin.id not in actors


# --- what a token reaches ------------------------------------------------------------------------


def test_token_routes_are_exactly_the_api_and_the_data_downloads(app):
    api_endpoints = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
    }
    downloads = {"datasets.download", "datasets.download_bdf", "datasets.download_bdf_metadata"}
    assert api_endpoints | downloads == TOKEN_ROUTES
    assert all(POLICY[endpoint].token in TokenScope.values() for endpoint in TOKEN_ROUTES)


def token_scope_problems(app: Flask, policy: dict[str, Access]) -> list[str]:
    """Routes that change something yet let a token with only the read scope call them."""
    return [
        f"{rule.endpoint} {sorted(rule.methods & STATE_CHANGING)}"
        for rule in app.url_map.iter_rules()
        if rule.methods & STATE_CHANGING and policy[rule.endpoint].token == READ
    ]


def test_a_write_route_opened_to_tokens_must_declare_a_write_scope(app):
    assert token_scope_problems(app, POLICY) == []
    # The check catches the mistake it exists for: a future write API route left on "read".
    probe = Flask("probe")
    probe.add_url_rule("/api/v1/probe", "probe.write", lambda: "", methods=["POST"])
    assert token_scope_problems(probe, {"probe.write": Access(frozenset(), "", READ)}) == [
        "probe.write ['POST']"
    ]


def test_a_token_without_the_routes_scope_is_refused(app, db):
    user = factories.make_user(db, role="partner")
    raw = make_token(app, user)
    token = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    token.scopes = ""  # a token holding no scope the route needs
    db.add(token)
    db.commit()
    response = app.test_client().get("/api/v1/me/agreements", headers=bearer(raw))
    assert response.status_code == 403


def test_a_token_reads_the_api_and_downloads_granted_data(app, db, tmp_path):
    organization = factories.make_organization(db)
    user = factories.make_user(db, role="partner", organization=organization)
    dataset = factories.make_dataset(db)
    factories.make_dataset_grant(db, dataset, organization)
    dataset_file = factories.ingest_into(app, dataset, write_arbin(tmp_path / "a.csv", [1.0, 0.99]))
    raw = make_token(app, user)
    robot = app.test_client()
    listing = robot.get("/api/v1/datasets", headers=bearer(raw)).get_json()
    assert dataset.slug in [item["slug"] for item in listing["items"]]
    original = robot.get(
        f"/datasets/{dataset.slug}/files/{dataset_file.id}/download/original", headers=bearer(raw)
    )
    assert original.status_code == 200
    assert original.data == (tmp_path / "a.csv").read_bytes()
    # The same download without the token is a 404: the token is what opened it.
    anonymous = app.test_client().get(
        f"/datasets/{dataset.slug}/files/{dataset_file.id}/download/original"
    )
    assert anonymous.status_code == 404


# --- tokens die with the sessions ----------------------------------------------------------------


def _change_password(app, client, user):
    client.post_form(
        "/account/password",
        {
            "current_password": TEST_PASSWORD,
            "new_password": "a fresh passphrase 42",
            "confirm": "a fresh passphrase 42",
        },
    )


def _end_sessions(app, client, user):
    client.post_form(f"/admin/users/{user.id}/end-sessions")


def _deactivate(app, client, user):
    client.post_form(f"/admin/users/{user.id}/deactivate")


def _deactivate_organisation(app, client, user):
    client.post_form(f"/admin/organizations/{user.organization_id}/deactivate")


@pytest.mark.parametrize(
    "ending",
    [_change_password, _end_sessions, _deactivate, _deactivate_organisation],
    ids=["password change", "end sessions", "deactivation", "organisation deactivated"],
)
def test_tokens_die_with_the_sessions(app, client, db, login_as, ending):
    organization = factories.make_organization(db)
    if ending is _change_password:
        user = login_as("partner", organization)
    else:
        user = factories.make_user(db, role="partner", organization=organization)
        login_as("admin")
    raw = make_token(app, user)
    robot = app.test_client()
    assert robot.get("/api/v1/me/agreements", headers=bearer(raw)).status_code == 200
    ending(app, client, user)
    assert robot.get("/api/v1/me/agreements", headers=bearer(raw)).status_code == 401
    token = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    db.refresh(token)
    assert token.revoked_at is not None


# --- expiry ----------------------------------------------------------------------------------------


def test_token_expiry_is_chosen_at_creation_and_shown_with_the_last_use(app, client, db, login_as):
    user = login_as("partner")
    page = client.get("/me/tokens").get_data(as_text=True)
    default = (local_today() + timedelta(days=90)).strftime("%d-%m-%Y")
    assert f'value="{default}"' in page  # 90 days unless chosen otherwise, shown DD-MM-YYYY
    assert "a token only reads" in page  # the only scope today, and the form says so
    chosen = local_today() + timedelta(days=30)
    created = client.post_form(
        "/me/tokens", {"name": "ci", "expires_on": chosen.isoformat()}, follow_redirects=True
    )
    assert created.status_code == 200
    raw = re.search(r'id="new-token"[^>]*value="(btp_[^"]+)"', created.get_data(as_text=True))
    token = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert token.expires_on == chosen and token.scopes == "read"
    for too_far in (local_today() + timedelta(days=366), local_today() - timedelta(days=1)):
        refused = client.post_form("/me/tokens", {"name": "x", "expires_on": too_far.isoformat()})
        assert refused.status_code == 400
        assert "365 days" in refused.get_data(as_text=True)
    assert db.exec(select(func.count(ApiToken.id))).one() == 1

    tokens_page = client.get("/me/tokens").get_data(as_text=True)
    assert chosen.strftime("%d-%m-%Y") in tokens_page and "<td>never</td>" in tokens_page
    app.test_client().get("/api/v1/me/agreements", headers=bearer(raw.group(1)))
    tokens_page = client.get("/me/tokens").get_data(as_text=True)
    assert "<td>never</td>" not in tokens_page
    assert re.search(r"<td>\d\d-\d\d-\d{4} \d\d:\d\d IST</td>", tokens_page)  # last used


def test_an_expired_token_is_refused(app, db):
    user = factories.make_user(db, role="partner")
    raw = make_token(app, user)
    token = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    robot = app.test_client()
    token.expires_on = local_today()  # its last day: still works
    db.add(token)
    db.commit()
    assert robot.get("/api/v1/me/agreements", headers=bearer(raw)).status_code == 200
    token.expires_on = local_today() - timedelta(days=1)
    db.add(token)
    db.commit()
    assert robot.get("/api/v1/me/agreements", headers=bearer(raw)).status_code == 401


def test_a_reminder_is_mailed_once_a_week_before_a_token_expires(app, db, mailbox):
    today = date(2026, 3, 1)
    user = factories.make_user(db, role="partner")
    other = factories.make_user(db, role="partner")
    soon = make_token(app, user)
    make_token(app, other)
    tokens = {t.user_id: t for t in db.exec(select(ApiToken)).all()}
    tokens[user.id].expires_on = today + timedelta(days=5)
    tokens[other.id].expires_on = today + timedelta(days=30)  # not yet
    db.add_all(tokens.values())
    db.commit()
    with app.app_context():
        assert send_token_expiry_reminders(portal_db.session(), today) == 1
        portal_db.commit()
    with app.app_context():
        assert send_token_expiry_reminders(portal_db.session(), today) == 0  # once only
    (mail,) = mailbox.to(user.email)
    body = mailbox.body(mail)
    assert "06-03-2026" in body and "in 5 day(s)" in body and soon[:12] in body
    assert "/me/tokens" in body and soon not in body
    assert mailbox.to(other.email) == []
    # `portal send-reminders` runs it too (nothing left to send for that day).
    result = app.test_cli_runner().invoke(args=["send-reminders", "--today", today.isoformat()])
    assert result.exit_code == 0 and "0 API token expiry mail(s)" in result.output


# --- finding 5: demo accounts in production -----------------------------------------------------


def test_demo_accounts_tokens_and_calendar_feeds_are_refused_in_production_mode(
    app, production_app, db
):
    demo = factories.make_user(db, role="partner", is_demo=True)
    raw = make_token(app, demo)
    with app.app_context():
        session = portal_db.session()
        _feed, secret = partners.create_calendar_feed(session, session.get(User, demo.id))
        session.commit()
    # Development (where the demo data lives) lets them work ...
    assert app.test_client().get("/api/v1/me/agreements", headers=bearer(raw)).status_code == 200
    assert app.test_client().get(f"/calendar/{secret}.ics").status_code == 200
    # ... production refuses them, as it refuses the demo password.
    robot = production_app.test_client()
    assert robot.get("/api/v1/me/agreements", headers=bearer(raw)).status_code == 401
    assert robot.get(f"/calendar/{secret}.ics").status_code == 404
