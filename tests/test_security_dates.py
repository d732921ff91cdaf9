"""Issue 10, finding 6 as a property: every date field of every form refuses a date outside
1990–2100 with a message and takes every date inside it; every date query parameter and the
commands' ``--today`` never give a 500 or a traceback, whatever the value.

The fields and parameters are found, not listed: every FlaskForm subclass in the portal is
searched for date fields, and every page staff can open is searched for date inputs of GET
forms (the filters), so a new one is covered the day it appears.
"""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import DateField

from portal.dates import EARLIEST, LATEST
from tests import factories
from tests.routes import all_routes

ANY_DATE = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
# Dates near the edges of the accepted range, where an off-by-one would hide.
EDGES = st.sampled_from(
    [date(1989, 12, 31), EARLIEST, LATEST, date(2101, 1, 1), date.max, date.min]
)
RAW = st.one_of(
    st.one_of(ANY_DATE, EDGES).map(date.isoformat),
    st.sampled_from(["9999-12-31", "0202-01-01", "10000-01-01", "2026-02-30", "", "-1", "∞"]),
    st.text(max_size=30),
)
MESSAGE = "between 01-01-1990 and 31-12-2100"
LENIENT = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _subclasses(cls) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def form_date_fields(app) -> list[tuple[type, str]]:
    """(form class, field name) for every date field of every form of the portal."""
    found = []
    with app.test_request_context(method="POST"):
        for form_class in _subclasses(FlaskForm):
            if not form_class.__module__.startswith("portal."):
                continue
            form = form_class(formdata=None, meta={"csrf": False})
            found += [
                (form_class, name)
                for name, field in form._fields.items()
                if isinstance(field, DateField)
            ]
    return sorted(set(found), key=lambda pair: (pair[0].__qualname__, pair[1]))


def test_the_date_fields_are_found(app):
    names = {f"{form.__name__}.{field}" for form, field in form_date_fields(app)}
    expected = {
        "AgreementForm.signed_on",
        "AgreementForm.effective_on",
        "AgreementForm.expires_on",
        "MilestoneForm.due_on",
        "GrantForm.expires_on",
        "TokenForm.expires_on",
    }
    assert expected <= names, names


@LENIENT
@given(value=st.one_of(ANY_DATE, EDGES))
def test_every_form_date_field_refuses_dates_out_of_range_with_a_message(app, value):
    for form_class, name in form_date_fields(app):
        with app.test_request_context(method="POST"):
            form = form_class(formdata=MultiDict({name: value.isoformat()}), meta={"csrf": False})
            field = form[name]
            valid = field.validate(form)
        if EARLIEST <= value <= LATEST:
            assert valid and field.data == value, (form_class.__name__, name, field.errors)
        else:
            assert not valid, (form_class.__name__, name, value)
            assert any(
                MESSAGE in str(error) or "Not a valid date" in str(error) for error in field.errors
            )


@LENIENT
@given(raw=RAW)
def test_every_form_date_field_survives_any_text(app, raw):
    for form_class, name in form_date_fields(app):
        with app.test_request_context(method="POST"):
            form = form_class(formdata=MultiDict({name: raw}), meta={"csrf": False})
            field = form[name]
            if field.validate(form):
                assert field.data is None or EARLIEST <= field.data <= LATEST


def _is_date_input(attrs: dict) -> bool:
    """A native date picker or the portal's typed DD-MM-YYYY input."""
    return attrs.get("type") == "date" or attrs.get("placeholder") == "DD-MM-YYYY"


class _DateInputs(HTMLParser):
    """The date inputs of a page's GET forms: (action, input name)."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.action: str | None = None
        self.found: set[tuple[str, str]] = set()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form":
            method = (values.get("method") or "get").lower()
            self.action = (values.get("action") or self.page_path) if method == "get" else None
        elif tag == "input" and self.action and _is_date_input(values) and values.get("name"):
            self.found.add((self.action.split("?")[0], values["name"]))

    def handle_endtag(self, tag):
        if tag == "form":
            self.action = None


@pytest.fixture
def date_parameters(app, client, db, login_as) -> list[tuple[str, str]]:
    """Every (path, parameter) a GET form takes as a date, on every page an admin can open."""
    login_as("admin")
    factories.make_milestone(db)
    found: set[tuple[str, str]] = set()
    for route in all_routes(app):
        if route.method != "GET" or "987654" in route.url or "no-such" in route.url:
            continue  # pages needing a record open only with one; lists and filters need none
        response = client.get(route.url)
        if response.status_code == 200 and "text/html" in response.content_type:
            parser = _DateInputs(route.url)
            parser.feed(response.get_data(as_text=True))
            found |= parser.found
    return sorted(found)


def test_the_date_parameters_are_found(date_parameters):
    assert ("/admin/audit", "since") in date_parameters
    assert ("/admin/audit", "until") in date_parameters


@LENIENT
@given(values=st.lists(RAW, min_size=1, max_size=2))
def test_every_date_query_parameter_is_clamped_or_refused_never_a_500(
    client, date_parameters, values
):
    for path, name in date_parameters:
        query = urlencode([(name, value) for value in values])
        response = client.get(f"{path}?{query}")
        assert response.status_code < 500, (path, name, values)
        response.get_data()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=RAW)
def test_the_today_option_of_the_commands_is_refused_or_taken_never_a_traceback(app, raw):
    for command in ("send-reminders", "sweep"):
        result = app.test_cli_runner().invoke(args=[command, "--today", raw])
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            command,
            raw,
            result.output,
        )
        if result.exit_code != 0:
            assert "--today must" in result.output
