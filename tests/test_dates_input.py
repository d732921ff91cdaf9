"""Dates are typed DD-MM-YYYY (ISO still taken) in every date field, and times are shown in IST."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select
from werkzeug.datastructures import MultiDict

from portal.accounts.models import ApiToken
from portal.audit.models import AuditEntry
from portal.dates import local_today, parse_date
from portal.formatting import format_datetime
from portal.partners.forms import TokenForm


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("31-03-2027", date(2027, 3, 31)),
        ("1-4-2027", date(2027, 4, 1)),
        ("01/04/2027", date(2027, 4, 1)),
        ("2027-03-31", date(2027, 3, 31)),
        (" 05-06-2027 ", date(2027, 6, 5)),
    ],
)
def test_day_first_and_iso_dates_are_read(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw", ["03-31-2027", "31-02-2027", "2027/03/31", "31 March 2027", "", "27-3-31"]
)
def test_other_texts_are_not_dates(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


def test_the_date_field_is_a_typed_dd_mm_yyyy_input(app):
    with app.test_request_context():
        form = TokenForm(formdata=None, meta={"csrf": False})
        html = str(form.expires_on())
    assert 'type="text"' in html and 'type="date"' not in html
    assert 'inputmode="numeric"' in html and 'placeholder="DD-MM-YYYY"' in html
    pattern = re.search(r'pattern="([^"]+)"', html).group(1)
    # Browsers compile the pattern with the `v` flag: "-" and "/" in a class must be escaped.
    for chars in re.findall(r"\[([^\]]*)\]", pattern):
        assert re.fullmatch(r"(?:\\[-/]|[^-/])*", chars), chars
    assert re.fullmatch(pattern, "31-03-2027") and re.fullmatch(pattern, "2027-03-31")
    assert not re.fullmatch(pattern, "03/31/27")
    shown = (local_today() + timedelta(days=90)).strftime("%d-%m-%Y")
    assert f'value="{shown}"' in html  # the default comes back day first


def test_the_field_takes_both_forms_and_explains_a_wrong_one(app):
    day = local_today() + timedelta(days=10)
    for raw in (day.strftime("%d-%m-%Y"), day.isoformat()):
        with app.test_request_context(method="POST"):
            form = TokenForm(formdata=MultiDict({"expires_on": raw}), meta={"csrf": False})
            assert form.expires_on.validate(form) and form.expires_on.data == day
    with app.test_request_context(method="POST"):
        form = TokenForm(formdata=MultiDict({"expires_on": "12/31/2026x"}), meta={"csrf": False})
        assert not form.expires_on.validate(form)
        assert "DD-MM-YYYY" in str(form.expires_on.errors[0])
        assert 'value="12/31/2026x"' in str(form.expires_on())  # what was typed stays to correct


def test_a_token_is_created_with_a_day_first_date_and_a_bad_one_is_refused(client, db, login_as):
    user = login_as("partner")
    chosen = local_today() + timedelta(days=30)
    created = client.post_form(
        "/me/tokens",
        {"name": "ci", "expires_on": chosen.strftime("%d-%m-%Y")},
        follow_redirects=True,
    )
    assert created.status_code == 200
    token = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert token.expires_on == chosen
    refused = client.post_form("/me/tokens", {"name": "x", "expires_on": "13-13-2027"})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Enter the date as DD-MM-YYYY" in page and "Traceback" not in page
    assert len(db.exec(select(ApiToken)).all()) == 1


def test_the_audit_filter_reads_day_first_dates_in_india_and_shows_them_back(client, db, login_as):
    login_as("admin")
    # 20:00 UTC on 02-12-2026 is already 03-12-2026 in India: the filter counts India's days.
    db.add(
        AuditEntry(
            actor_label="late@example.org",
            action="test.late",
            created_at=datetime(2026, 12, 2, 20, 0, tzinfo=UTC),
        )
    )
    db.commit()
    page = client.get("/admin/audit?action=test.late&since=03-12-2026").get_data(as_text=True)
    assert 'value="03-12-2026"' in page and 'type="date"' not in page
    assert "late@example.org" in page and "03-12-2026 01:30 IST" in page
    page = client.get("/admin/audit?action=test.late&until=2026-12-02").get_data(as_text=True)
    assert "late@example.org" not in page


def test_times_are_shown_in_india_with_the_zone_named():
    assert format_datetime(datetime(2026, 12, 3, 20, 0, tzinfo=UTC)) == "04-12-2026 01:30 IST"
    assert format_datetime(datetime(2026, 12, 3, 6, 15)) == "03-12-2026 11:45 IST"  # naive = UTC
    assert format_datetime(None) == "—"


def test_a_date_not_posted_keeps_the_default_and_an_empty_one_clears_it(app):
    default = local_today() + timedelta(days=90)
    with app.test_request_context(method="POST"):
        absent = TokenForm(formdata=MultiDict({"name": "x"}), meta={"csrf": False})
        emptied = TokenForm(formdata=MultiDict({"expires_on": " "}), meta={"csrf": False})
    assert absent.expires_on.data == default and emptied.expires_on.data is None
