"""Two-step sign-in: required for staff and admins where configured, optional for partners."""

from __future__ import annotations

import time

import pyotp
import pytest

from tests import factories
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def app_config(app_config):
    return {**app_config, "STAFF_TOTP": "required"}


def test_staff_without_a_second_factor_must_enrol_first(client, db, login_as):
    staff = login_as("staff")
    response = client.get("/admin")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/account/two-step"
    )
    page = client.get("/account/two-step").get_data(as_text=True)
    secret = page.split('id="totp-secret">')[1].split("<")[0]
    wrong = client.post_form(
        "/account/two-step", {"code": "000000", "current_password": TEST_PASSWORD}
    )
    assert "does not match" in wrong.get_data(as_text=True)
    done = client.post_form(
        "/account/two-step",
        {"code": pyotp.TOTP(secret).now(), "current_password": TEST_PASSWORD},
    )
    assert done.status_code == 302
    assert client.get("/admin").status_code == 200
    db.refresh(staff)
    assert staff.totp_secret == secret


def test_sign_in_asks_for_the_code_and_a_code_works_once(app, client, db):
    secret = pyotp.random_base32()
    staff = factories.make_user(db, role="admin", totp_secret=secret)
    response = client.post_form("/login", {"email": staff.email, "password": TEST_PASSWORD})
    assert response.headers["Location"].endswith("/login/verify")
    assert client.get("/admin").status_code == 302  # not signed in yet
    code = pyotp.TOTP(secret).now()
    assert client.post_form("/login/verify", {"code": code}).status_code == 302
    assert client.get("/admin").status_code == 200

    replay = app.test_client()
    replay.post_form("/login", {"email": staff.email, "password": TEST_PASSWORD})
    again = replay.post_form("/login/verify", {"code": code})
    assert again.status_code == 200 and "already used" in again.get_data(as_text=True)


def test_wrong_codes_are_throttled(client, db):
    secret = pyotp.random_base32()
    staff = factories.make_user(db, role="staff", totp_secret=secret)
    client.post_form("/login", {"email": staff.email, "password": TEST_PASSWORD})
    statuses = [
        client.post_form("/login/verify", {"code": "123456"}).status_code for _ in range(10)
    ]
    assert statuses[-1] == 429
    # A correct password does not reset the counter while the second factor is outstanding.
    client.post_form("/login", {"email": staff.email, "password": TEST_PASSWORD})
    assert client.post_form("/login/verify", {"code": pyotp.TOTP(secret).now()}).status_code == 429


def test_partners_may_choose_and_drop_it(client, db, login_as):
    partner = login_as("partner")
    assert client.get("/me").status_code == 200  # not forced
    page = client.get("/account/two-step").get_data(as_text=True)
    secret = page.split('id="totp-secret">')[1].split("<")[0]
    client.post_form(
        "/account/two-step",
        {"code": pyotp.TOTP(secret).now(), "current_password": TEST_PASSWORD},
    )
    db.refresh(partner)
    assert partner.totp_secret == secret
    # The code of the next 30-second step: the one just used does not work twice.
    next_code = pyotp.TOTP(secret).at(time.time() + 30)
    client.post_form(
        "/account/two-step/disable",
        {"off-current_password": TEST_PASSWORD, "off-current_code": next_code},
    )
    db.refresh(partner)
    assert partner.totp_secret is None


def test_staff_cannot_turn_it_off_when_required(client, db):
    secret = pyotp.random_base32()
    staff = factories.make_user(db, role="staff", totp_secret=secret)
    client.post_form("/login", {"email": staff.email, "password": TEST_PASSWORD})
    client.post_form("/login/verify", {"code": pyotp.TOTP(secret).now()})
    client.post_form("/account/two-step/disable")
    db.refresh(staff)
    assert staff.totp_secret == secret
