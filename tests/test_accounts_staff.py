"""Staff pages for organisations and users: forms from the declared fields, literal search,
audited changes."""

from __future__ import annotations

from sqlmodel import select

from portal.accounts.models import Organization, User
from portal.audit.models import AuditEntry
from tests import factories


def test_new_organisation_form_shows_the_declared_fields_and_defaults(client, login_as):
    login_as("staff")
    page = client.get("/admin/organizations/new").get_data(as_text=True)
    assert "Used in links, e.g. watthour. Cannot be changed later." in page
    assert '<option value="startup">Startup</option>' in page
    assert '<input checked id="is_public" name="is_public" type="checkbox"' in page


def test_organisation_website_must_be_a_web_address(client, db, login_as):
    login_as("staff")
    response = client.post_form(
        "/admin/organizations/new",
        {"name": "Odd Links", "slug": "odd-links", "kind": "company", "website": "javascript:x"},
    )
    assert response.status_code == 200
    assert db.exec(select(Organization).where(Organization.slug == "odd-links")).first() is None


def test_organisation_kind_is_required(client, db, login_as):
    login_as("staff")
    response = client.post_form(
        "/admin/organizations/new", {"name": "No Kind", "slug": "no-kind", "kind": ""}
    )
    assert response.status_code == 200
    assert db.exec(select(Organization).where(Organization.slug == "no-kind")).first() is None


def test_organisation_edit_never_changes_the_short_name(client, db, login_as):
    organization = factories.make_organization(db, slug="fixed-name")
    login_as("staff")
    response = client.post_form(
        f"/admin/organizations/{organization.id}/edit",
        {"name": "Renamed", "slug": "other-name", "kind": "company", "is_public": "y"},
    )
    assert response.status_code == 302
    db.refresh(organization)
    assert (organization.slug, organization.name, organization.kind) == (
        "fixed-name",
        "Renamed",
        "company",
    )


def test_organisation_search_takes_wildcards_literally(client, db, login_as):
    factories.make_organization(db, name="100% Cells")
    factories.make_organization(db, name="Plain Cells")
    login_as("staff")
    page = client.get("/admin/organizations?q=%25").get_data(as_text=True)
    assert "100% Cells" in page and "Plain Cells" not in page
    underscore = client.get("/admin/organizations?q=_").get_data(as_text=True)
    assert "No organisation matches." in underscore


def test_deactivating_a_user_records_before_and_after(client, db, login_as):
    partner = factories.make_user(db)
    login_as("admin")
    client.post_form(f"/admin/users/{partner.id}/deactivate")
    client.post_form(f"/admin/users/{partner.id}/activate")
    entries = db.exec(
        select(AuditEntry).where(AuditEntry.target_id == str(partner.id)).order_by(AuditEntry.id)
    ).all()
    changes = {entry.action: entry.changes for entry in entries}
    assert changes["user.deactivated"] == {
        "before": {"is_active": True},
        "after": {"is_active": False},
    }
    assert changes["user.activated"]["after"] == {"is_active": True}


def test_the_staff_invitation_offers_staff_and_admin_only(client, db, login_as):
    login_as("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    form = page.split('action="/admin/users/new"')[1]
    assert 'value="staff"' in form and 'value="admin"' in form and 'value="partner"' not in form
    response = client.post_form(
        "/admin/users/new", {"name": "Sneaky", "email": "sneaky@example.org", "role": "partner"}
    )
    assert response.status_code == 302
    assert db.exec(select(User).where(User.email == "sneaky@example.org")).first() is None


def test_the_users_list_names_roles_in_words(client, db, login_as):
    factories.make_user(db, role="partner", name="Listed Partner")
    login_as("admin")
    page = client.get("/admin/users?role=partner").get_data(as_text=True)
    assert '<option value="partner" selected>Partner</option>' in page
    assert "<td>Partner</td>" in page
