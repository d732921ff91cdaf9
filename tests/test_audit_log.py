"""Audit entries are written with the change, carry who/where/when, and never hold secrets."""

from __future__ import annotations

from sqlmodel import select

from portal.accounts.models import Organization
from portal.audit.models import AuditEntry
from portal.changes import add_audited, delete_audited
from tests import factories
from tests.conftest import TEST_PASSWORD


def test_admin_actions_are_audited_with_actor_ip_and_time(client, db, login_as):
    partner = factories.make_user(db)
    admin = login_as("admin")
    client.post_form(
        f"/admin/users/{partner.id}/deactivate", environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "user.deactivated")).one()
    assert entry.actor_id == admin.id and entry.actor_label == admin.email
    assert entry.ip == "10.1.2.3"
    assert entry.target_type == "user" and entry.target_id == str(partner.id)
    assert entry.created_at.tzinfo is not None


def test_organisation_edit_records_before_and_after(client, db, login_as):
    organization = factories.make_organization(db, city="Pune")
    login_as("staff")
    client.post_form(
        f"/admin/organizations/{organization.id}/edit",
        {
            "name": organization.name,
            "kind": "startup",
            "city": "Nashik",
            "state": "",
            "website": "",
            "description": "",
        },
    )
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "organization.updated")).one()
    assert entry.changes["before"]["city"] == "Pune"
    assert entry.changes["after"]["city"] == "Nashik"


def test_refused_change_leaves_no_audit_entry(client, db, login_as):
    factories.make_organization(db, slug="taken")
    login_as("staff")
    before = len(db.exec(select(AuditEntry)).all())
    response = client.post_form(
        "/admin/organizations/new", {"name": "Dup", "slug": "taken", "kind": "startup"}
    )
    assert response.status_code == 200 and "already exists" in response.get_data(as_text=True)
    assert len(db.exec(select(AuditEntry)).all()) == before


def test_no_password_token_or_cookie_reaches_the_audit_log_or_the_app_log(
    app, client, db, login_as, caplog, mailbox
):
    organization = factories.make_organization(db)
    login_as("staff")
    client.post_form(
        f"/admin/organizations/{organization.id}/invite",
        {"name": "Secret Keeper", "email": "keeper@example.org"},
    )
    token = mailbox.link_path("keeper@example.org", "/invite/").removeprefix("/invite/")
    newcomer = app.test_client()
    newcomer.get(f"/invite/{token}")
    password = "a brand new passphrase"
    newcomer.post(
        f"/invite/{token}",
        data={"csrf_token": newcomer.csrf_token(), "new_password": password, "confirm": password},
    )
    newcomer.post_form(
        "/account/password",
        {"current_password": password, "new_password": password + "!", "confirm": password + "!"},
    )
    newcomer.post_form("/logout")
    newcomer.post_form("/login", {"email": "keeper@example.org", "password": "wrong " + password})
    cookie = newcomer.get_cookie("portal_session").value

    everything = " ".join(
        str(e.changes) + e.target_label for e in db.exec(select(AuditEntry)).all()
    )
    for secret in (token, password, cookie, TEST_PASSWORD):
        assert secret not in everything
        assert secret not in caplog.text
    assert "user.password_changed" in {e.action for e in db.exec(select(AuditEntry)).all()}


def test_staff_filter_the_audit_log(client, db, login_as):
    login_as("staff")
    factories.make_organization(db)
    client.post_form(
        "/admin/organizations/new", {"name": "Filter Me", "slug": "filter-me", "kind": "company"}
    )
    page = client.get("/admin/audit?action=organization.created").get_data(as_text=True)
    assert "filter-me" in page
    assert "user.logged_in" not in page.split("<tbody>")[1]
    none = client.get("/admin/audit?since=2001-01-01&until=2001-01-02").get_data(as_text=True)
    assert "No entries match" in none
    odd = client.get("/admin/audit?since=not-a-date&page=-4&actor=%00")
    assert odd.status_code == 200


def test_partners_cannot_read_the_audit_log(client, login_as):
    login_as("partner")
    assert client.get("/admin/audit").status_code == 403


def test_audit_filters_take_search_text_literally_and_survive_odd_dates(client, db, login_as):
    login_as("staff")
    for label in ("under_score@example.org", "underxscore@example.org"):
        db.add(AuditEntry(actor_label=label, action="test.literal"))
    db.commit()
    page = client.get("/admin/audit?actor=under_score").get_data(as_text=True)
    assert "under_score@example.org" in page and "underxscore@example.org" not in page
    family = client.get("/admin/audit?action=test.").get_data(as_text=True)
    assert "underxscore@example.org" in family
    wildcard = client.get("/admin/audit?action=%25").get_data(as_text=True)
    assert "No entries match" in wildcard
    assert client.get("/admin/audit?until=9999-12-31").status_code == 200


def test_a_new_record_is_flushed_before_its_audit_entry_reads_its_id(db):
    parent = factories.make_organization(db, slug="parent-org")
    child = Organization(name="Child", slug="child-org", kind="startup")
    added = add_audited(
        db, child, "organization.linked", on=parent, changes=lambda new: {"child_id": new.id}
    )
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "organization.linked")).one()
    assert added is child and child.id is not None
    assert entry.target_id == str(parent.id) and entry.changes == {"child_id": child.id}


def test_a_new_record_without_a_parent_is_filed_under_itself(db):
    organization = add_audited(
        db,
        Organization(name="Solo", slug="solo-org", kind="startup"),
        "organization.created",
        changes={"name": "Solo"},
    )
    entry = db.exec(select(AuditEntry).where(AuditEntry.target_id == str(organization.id))).one()
    assert entry.target_type == "organization" and entry.changes == {"name": "Solo"}


def test_a_deleted_record_leaves_its_entry_and_is_gone(db):
    parent = factories.make_organization(db, slug="keeps-the-entry")
    child = factories.make_organization(db, slug="goes-away")
    child_id = child.id
    delete_audited(db, child, "organization.unlinked", on=parent, changes={"slug": "goes-away"})
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "organization.unlinked")).one()
    assert db.get(Organization, child_id) is None
    assert entry.target_id == str(parent.id) and entry.changes == {"slug": "goes-away"}
