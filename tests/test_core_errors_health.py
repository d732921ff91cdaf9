"""Error pages (HTML and JSON) with reference ids, health and readiness."""

from __future__ import annotations

import re

from sqlalchemy import event

from portal import create_app
from portal.datasets.models import Dataset


def test_404_page_has_a_logged_reference(client, caplog):
    response = client.get("/definitely/not/here")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    reference = re.search(r"<code>([0-9a-f]{12})</code>", body).group(1)
    assert reference in caplog.text
    assert "We could not find that page" in body


def test_api_errors_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["status"] == 404 and len(error["reference"]) == 12


def test_405_lists_allowed_methods(client):
    response = client.delete("/login")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_413_when_the_body_is_too_large(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/login", data={"email": "x" * 5000})
    assert response.status_code == 413
    assert "larger than the portal accepts" in response.get_data(as_text=True)


def test_healthz_needs_no_database(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_checks_the_database(client):
    assert client.get("/readyz").get_json()["database"] == "ok"


def test_readyz_answers_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(
        {
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "SECRET_KEY": "s" * 40,
            "INSTANCE_DIR": tmp_path,
        }
    )
    client = app.test_client()
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        assert client.get("/healthz").status_code == 200
        page = client.get("/admin/audit")  # any page that needs the database
        assert page.status_code in (302, 503)
        login = client.get("/login")
        assert login.status_code == 200  # the login form itself needs no database
        failed = client.post("/login", data={"email": "a@b.org", "password": "whatever-long"})
        assert failed.status_code in (400, 503)
    finally:
        # The job thread its first request started would retry the dead database until exit.
        app.extensions["jobs"].stop()


def test_a_value_the_database_refuses_is_a_400_not_a_500(app, client, monkeypatch):
    from sqlalchemy.exc import DataError

    from portal.policy import POLICY, PUBLIC

    def refuse():
        raise DataError("SELECT :q", {"q": "\x00"}, ValueError("NUL byte"))

    app.add_url_rule("/refuse", "refuse", refuse)
    monkeypatch.setitem(POLICY, "refuse", PUBLIC)
    response = client.get("/refuse")
    assert response.status_code == 400
    assert "cannot use" in response.get_data(as_text=True)


def test_one_name_saved_twice_at_the_same_moment_is_a_409_not_a_500(app, client, login_as):
    """The second save passed its "already exists" check before the first one's row arrived;
    the unique index refuses it, and the staff member is told what happened."""
    login_as("staff")
    first = Dataset(slug="same-moment", title="Saved first", chemistry="na_ion")
    row = {c.name: getattr(first, c.name) for c in Dataset.__table__.columns if c.name != "id"}
    engine = app.extensions["db_engine"]
    arrived = []

    def the_other_save_lands(conn, _cursor, statement, params, _context, _many):
        # Right after the check found the name free, as another request's save would.
        if (
            not arrived
            and statement.startswith("SELECT dataset.id")
            and "same-moment" in str(params)
        ):
            arrived.append(True)
            conn.execute(Dataset.__table__.insert().values(**row))

    event.listen(engine, "after_cursor_execute", the_other_save_lands)
    try:
        response = client.post_form(
            "/admin/datasets/new",
            {
                "slug": "same-moment",
                "title": "Saved second",
                "technology_id": "0",
                "chemistry": "li_ion",
                "test_type": "cycle_life",
                "cell_type": "full",
                "visibility": "restricted",
            },
        )
    finally:
        event.remove(engine, "after_cursor_execute", the_other_save_lands)
    assert arrived
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "same name or number a moment ago" in page and "Traceback" not in page
    assert client.get("/datasets/same-moment").status_code == 404  # nothing half-saved
