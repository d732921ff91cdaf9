"""Staff create, edit, publish, unpublish, archive and restore technologies; every change audited."""

from __future__ import annotations

import re

from sqlmodel import select

from portal.audit.models import AuditEntry
from portal.catalog.models import Technology
from tests.factories import make_technology

FORM = {
    "title": "Sodium-ion pouch cell",
    "slug": "sodium-ion-pouch-cell",
    "summary": "A pouch cell without lithium.",
    "description": "## Details\n\nMade in India.",
    "chemistry": "na_ion",
    "category": "cell",
    "applications": ["ev", "stationary"],
    "trl": "6",
    "licensing_status": "available",
    "specific_energy_wh_per_kg": "135",
    "cycle_life": "3000",
    "cost_inr_per_kwh": "9000",
}


def _technology(db, slug):
    db.expire_all()
    return db.exec(select(Technology).where(Technology.slug == slug)).one()


def _actions(db, technology):
    db.expire_all()
    return [
        e.action
        for e in db.exec(
            select(AuditEntry)
            .where(
                AuditEntry.target_type == "technology", AuditEntry.target_id == str(technology.id)
            )
            .order_by(AuditEntry.id)
        ).all()
    ]


def test_staff_creates_a_draft_that_the_public_cannot_see(client, db, login_as):
    login_as("staff")
    response = client.post_form("/admin/technologies/new", FORM)
    assert response.status_code == 302
    technology = _technology(db, "sodium-ion-pouch-cell")
    assert not technology.is_published and technology.trl == 6
    assert technology.specific_energy_wh_per_kg == 135 and technology.cycle_life == 3000
    assert technology.applications == ["ev", "stationary"]
    assert _actions(db, technology) == ["technology.created"]

    staff_view = client.get("/technologies/sodium-ion-pouch-cell")
    assert staff_view.status_code == 200
    assert "Only CoE staff can see this page" in staff_view.get_data(as_text=True)

    anonymous = client.application.test_client()
    assert anonymous.get("/technologies/sodium-ion-pouch-cell").status_code == 404
    assert "sodium-ion-pouch-cell" not in anonymous.get("/technologies").get_data(as_text=True)
    assert anonymous.get("/api/v1/technologies/sodium-ion-pouch-cell").status_code == 404


def test_publish_unpublish_archive_restore(client, db, login_as):
    login_as("admin")
    technology = make_technology(db, is_published=False, slug="coater")
    public = client.application.test_client()

    def act(action: str, **kwargs):
        version = str(_technology(db, "coater").version)
        url = f"/admin/technologies/{technology.id}/{action}"
        return client.post_form(url, {"version": version}, **kwargs)

    assert act("publish").status_code == 302
    assert _technology(db, "coater").is_published
    assert public.get("/technologies/coater").status_code == 200

    act("unpublish")
    assert not _technology(db, "coater").is_published
    assert public.get("/technologies/coater").status_code == 404

    act("archive")
    archived = _technology(db, "coater")
    assert archived.is_archived and not archived.is_published
    # An archived technology cannot be published until it is restored.
    page = act("publish", follow_redirects=True)
    assert "Restore this technology" in page.get_data(as_text=True)
    assert not _technology(db, "coater").is_published

    act("restore")
    assert not _technology(db, "coater").is_archived
    assert _actions(db, technology) == [
        "technology.published",
        "technology.unpublished",
        "technology.archived",
        "technology.restored",
    ]


def test_a_one_click_action_from_a_stale_page_is_a_conflict(client, db, login_as):
    login_as("staff")
    technology = make_technology(db, is_published=False, slug="stale-button")
    url = f"/admin/technologies/{technology.id}/publish"
    for data in ({}, {"version": str(technology.version + 1)}):
        page = client.post_form(url, data, follow_redirects=True)
        assert "Someone else changed this record" in page.get_data(as_text=True)
        assert not _technology(db, "stale-button").is_published
    assert _actions(db, technology) == []


def test_a_state_change_that_does_not_exist_is_not_found_and_changes_nothing(client, db, login_as):
    login_as("staff")
    technology = make_technology(db, is_published=True, slug="no-such-change")
    data = {"version": str(technology.version)}
    response = client.post_form(f"/admin/technologies/{technology.id}/delete", data)
    assert response.status_code in (404, 405)
    assert _technology(db, "no-such-change").version == technology.version
    assert _actions(db, technology) == []


def test_edit_saves_and_audits_the_difference(client, db, login_as):
    login_as("staff")
    technology = make_technology(db, slug="bms", title="Old title", trl=4)
    form = client.get(f"/admin/technologies/{technology.id}/edit")
    assert 'name="version" type="hidden" value="1"' in form.get_data(as_text=True)
    data = {**FORM, "slug": "bms", "title": "New title", "version": "1"}
    assert client.post_form(f"/admin/technologies/{technology.id}/edit", data).status_code == 302
    saved = _technology(db, "bms")
    assert saved.title == "New title" and saved.version == 2 and saved.trl == 6
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "technology.updated")).one()
    assert entry.changes["before"]["title"] == "Old title"
    assert entry.changes["after"]["title"] == "New title"


def test_a_stale_form_gets_a_conflict_not_an_overwrite(client, db, login_as):
    login_as("staff")
    technology = make_technology(db, slug="calender", title="Original")
    first = {**FORM, "slug": "calender", "title": "First save", "version": "1"}
    second = {**FORM, "slug": "calender", "title": "Second save", "version": "1"}
    assert client.post_form(f"/admin/technologies/{technology.id}/edit", first).status_code == 302
    response = client.post_form(f"/admin/technologies/{technology.id}/edit", second)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "someone else changed this technology" in html
    assert "Second save" in html  # the user's input is kept for them
    assert _technology(db, "calender").title == "First save"


def test_duplicate_slug_and_bad_values_are_refused_clearly(client, db, login_as):
    login_as("staff")
    make_technology(db, slug="taken")
    response = client.post_form("/admin/technologies/new", {**FORM, "slug": "taken"})
    assert response.status_code == 200
    assert "already exists" in response.get_data(as_text=True)
    response = client.post_form("/admin/technologies/new", {**FORM, "trl": "12"})
    assert "between 1 and 9" in response.get_data(as_text=True)
    assert db.exec(select(Technology).where(Technology.slug == FORM["slug"])).first() is None


def test_partners_and_the_public_cannot_manage_technologies(client, db, login_as):
    technology = make_technology(db)
    anonymous = client.get("/admin/technologies")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login_as("partner")
    assert client.get("/admin/technologies").status_code == 403
    assert client.post_form(f"/admin/technologies/{technology.id}/archive").status_code == 403
    assert not _technology(db, technology.slug).is_archived


def test_admin_list_filters_by_state(client, db, login_as):
    login_as("staff")
    make_technology(db, title="Published one")
    make_technology(db, title="Draft one", is_published=False)
    make_technology(db, title="Archived one", is_published=False, is_archived=True)
    current = client.get("/admin/technologies").get_data(as_text=True)
    assert "Published one" in current and "Draft one" in current and "Archived one" not in current
    drafts = client.get("/admin/technologies?state=draft").get_data(as_text=True)
    assert "Draft one" in drafts and "Published one" not in drafts
    archived = client.get("/admin/technologies?state=archived&q=one%00").get_data(as_text=True)
    assert "Archived one" in archived and "Draft one" not in archived


def test_a_too_long_title_is_refused_with_the_limit_never_cut(client, db, login_as):
    login_as("staff")
    page = client.get("/admin/technologies/new").get_data(as_text=True)
    title_input = re.search(r'<input[^>]*id="title"[^>]*>', page).group(0)
    assert "maxlength" not in title_input  # the browser no longer cuts a pasted title silently
    assert 'aria-describedby="title-limit"' in title_input
    assert "Up to 200 characters." in page
    long_title = "Sodium-ion " * 20 + "cell"  # 224 characters
    response = client.post_form("/admin/technologies/new", {**FORM, "title": long_title})
    body = response.get_data(as_text=True)
    assert "Use at most 200 characters; this has 224." in body
    assert long_title in body  # handed back whole, to shorten where the author chooses
    assert db.exec(select(Technology).where(Technology.slug == FORM["slug"])).first() is None
