"""Forms ignore the fields they do not expect (ASVS 15.3.3): a sweep of every state-changing route
with forged extra fields (as a form and as JSON) leaves every owner, role, flag, version and
secret column as it was, and each real form, filled in properly plus forged fields, stores only
what it legitimately asks for."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from flask import url_for
from sqlalchemy import inspect, select
from sqlmodel import SQLModel

from portal.accounts.models import ApiToken, Organization, User
from portal.agreements.models import Agreement, Milestone, MilestoneEvidence
from portal.catalog.models import Inquiry, InquiryNote, Technology
from portal.datasets.models import Dataset, DatasetGrant
from portal.partners.models import CalendarFeed
from portal.policy import POLICY
from tests.security_world import PASSWORD, PNG, World, seed_world, sign_in

# Columns a form must never set unless it legitimately asks for them.
SENSITIVE = {
    "organization_id",
    "role",
    "is_demo",
    "is_active",
    "is_admin",
    "status",
    "version",
    "created_by_id",
    "user_id",
    "token_hash",
    "secret_hash",
    "password_hash",
    "totp_secret",
    "visibility",
    "is_published",
    "is_archived",
    "is_public",
    "is_announced",
    "submitted_by_id",
    "uploaded_by_id",
    "granted_by_id",
    "author_id",
    "agreement_id",
    "milestone_id",
    "dataset_id",
    "stored_name",
    "sha256",
    "revoked_at",
    "email",
    "slug",
    "reference",
}

# Routes whose whole purpose is to flip one of those columns (no form fields to forge into).
ACTIONS = {
    "accounts.logout",
    "accounts.end_session",
    "accounts.totp_disable",
    "accounts.admin_user_deactivate",
    "accounts.admin_user_activate",
    "accounts.admin_user_end_sessions",
    "accounts.admin_user_reinvite",
    "accounts.admin_user_unlock",
    "accounts.admin_user_reset_totp",
    "accounts.admin_organization_deactivate",
    "catalog.admin_state_change",
    "datasets.admin_delete",
    "datasets.admin_file_delete",
    "datasets.admin_reingest",
    "datasets.admin_retry",
    "datasets.admin_revoke",
    "partners.token_revoke",
    "partners.calendar_create",
    "partners.calendar_revoke",
    "core.set_language",
}


# Fields that are a real part of a route's form: the sweep does not forge those there (the
# targeted tests below check what such forms store).
LEGITIMATE = {
    "accounts.admin_organization_create": {"is_public"},
    "accounts.admin_organization_edit": {"is_public"},
    "accounts.admin_user_create": {"role"},
    "agreements.admin_create": {"organization_id", "is_announced"},
    "agreements.admin_edit": {"organization_id", "is_announced", "version"},
    "agreements.admin_transition": {"version"},
    "agreements.admin_milestone_edit": {"version"},
    "agreements.admin_milestone_transition": {"version"},
    "catalog.admin_edit": {"version"},
    "catalog.admin_inquiry_status": {"status", "version"},
    "datasets.admin_create": {"visibility"},
    "datasets.admin_edit": {"visibility", "version"},
    "datasets.admin_grant": {"organization_id", "agreement_id"},
    "licensing.admin_step": {"version"},
}


def forged(world: World) -> dict[str, str]:
    """Extra fields pointing at organisation B, its user and its records, or at privileges."""
    b = world.b
    return {
        "organization_id": str(b.organization.id),
        "role": "admin",
        "is_demo": "y",
        "is_active": "",
        "is_admin": "y",
        "status": "accepted",
        "version": "999",
        "created_by_id": str(b.user.id),
        "user_id": str(b.user.id),
        "token_hash": "0" * 64,
        "secret_hash": "0" * 64,
        "password_hash": "$argon2id$forged",
        "totp_secret": "JBSWY3DPEHPK3PXP",
        "visibility": "public",
        "is_published": "y",
        "is_public": "y",
        "submitted_by_id": str(b.user.id),
        "uploaded_by_id": str(b.user.id),
        "granted_by_id": str(b.user.id),
        "author_id": str(b.user.id),
        "agreement_id": str(b.agreement_id),
        "milestone_id": str(b.milestone_id),
        "stored_name": "../../etc/passwd",
        "sha256": "f" * 64,
        "id": "1",
    }


def snapshot(db) -> dict:
    """Every sensitive column of every row, keyed by table and primary key."""
    db.expire_all()
    values = {}
    for table in SQLModel.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name in SENSITIVE]
        if not columns:
            continue
        keys = list(table.primary_key.columns)
        for row in db.connection().execute(select(*keys, *columns)).all():
            key = (table.name, tuple(row[: len(keys)]))
            values[key] = dict(zip([c.name for c in columns], row[len(keys) :], strict=True))
    return values


def _route_urls(app, world: World) -> list[tuple[str, str, str]]:
    a = world.a
    args = {
        "agreement_id": a.agreement_id,
        "milestone_id": a.milestone_id,
        "org_id": a.organization.id,
        "user_id": a.user.id,
        "tech_id": world.draft_technology_id,
        "inquiry_id": a.inquiry_id,
        "application_id": a.application_id,
        "claim_id": 1,
        "request_id": 1,
        "slug": a.dataset_slug,
        "file_id": a.dataset_file_id,
        "grant_id": a.grant_id,
        "patent_id": world.draft_patent_id,
        "report_id": 987654,  # no such royalty report: the write must change nothing
        "secret": "not-a-mailed-secret",  # alert links: an unknown secret changes nothing
        "token_id": a.api_token_id,
        "session_id": 1,
        "token": "no-such-invite",
        "upload_id": "0" * 32,
    }
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            for method in sorted((rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}):
                if rule.endpoint in ACTIONS:
                    continue
                values = {name: args[name] for name in rule.arguments}
                if rule.endpoint.startswith("catalog") and "slug" in values:
                    values["slug"] = world.published_slug
                routes.append((rule.endpoint, method, url_for(rule.endpoint, **values)))
    return sorted(routes)


@pytest.fixture
def world(app, db, tmp_path) -> World:
    return seed_world(app, db, tmp_path)


@pytest.mark.parametrize("who", ["partner", "staff", "admin"])
def test_forged_fields_on_every_write_change_no_sensitive_column(app, client, db, world, who):
    user = {"partner": world.a.user, "staff": world.staff, "admin": world.admin}[who]
    sign_in(client, user)
    token = client.csrf_token()
    before = snapshot(db)
    extras = forged(world)
    sent = 0
    for endpoint, method, url in _route_urls(app, world):
        if who not in POLICY[endpoint].roles:
            continue
        fields = {k: v for k, v in extras.items() if k not in LEGITIMATE.get(endpoint, ())}
        as_form = client.open(url, method=method, data={**fields, "csrf_token": token})
        as_json = client.open(url, method=method, json=fields, headers={"X-CSRFToken": token})
        for response in (as_form, as_json):
            assert response.status_code < 500, (endpoint, method, response.status_code)
        sent += 2
    assert sent >= 4
    after = snapshot(db)
    changed = {
        key: (before[key], after[key])
        for key in before
        if key in after and before[key] != after[key]
    }
    assert not changed, changed
    # Rows made by the sweep (forms whose own fields happen to validate) never took forged owners.
    for key in set(after) - set(before):
        row = after[key]
        for column in ("created_by_id", "submitted_by_id", "uploaded_by_id", "author_id"):
            assert row.get(column) in (None, user.id), (key, row)
        assert row.get("is_demo") in (None, False), (key, row)
        assert row.get("token_hash") != "0" * 64 and row.get("stored_name") != "../../etc/passwd"


# --- each real form, properly filled in, plus forged fields ----------------------------------


def test_partner_evidence_with_another_organisations_ids(app, client, db, world):
    a, b = world.a, world.b
    sign_in(client, a.user)
    response = client.post(
        f"/milestones/{a.milestone_id}/evidence",
        data={
            **forged(world),
            "csrf_token": client.csrf_token(),
            "note": "Our cells passed 500 cycles.",
            "file": (io.BytesIO(PNG), "plot.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    evidence = db.exec(
        select(MilestoneEvidence).where(MilestoneEvidence.note == "Our cells passed 500 cycles.")
    ).scalar_one()
    assert evidence.milestone_id == a.milestone_id
    assert evidence.submitted_by_id == a.user.id
    assert evidence.stored_name != "../../etc/passwd" and evidence.sha256 != "f" * 64
    db.expire_all()
    assert db.get(Milestone, a.milestone_id).status == "submitted"  # not "accepted"
    assert db.get(Milestone, b.milestone_id).status == "planned"
    # A dataset is a legitimate field, but only one the partner may see.
    refused = client.post_form(
        f"/milestones/{a.submitted_milestone_id}/evidence",
        {"note": "see data", "dataset_id": str(world.b.dataset_file_id and _dataset_id(db, b))},
    )
    assert refused.status_code == 400


def _dataset_id(db, party) -> int:
    return db.exec(select(Dataset.id).where(Dataset.slug == party.dataset_slug)).scalar_one()


def test_password_change_with_role_admin_keeps_the_partner_a_partner(client, db, world):
    a = world.a
    sign_in(client, a.user)
    new = "a much longer passphrase 2025"
    response = client.post_form(
        "/account/password",
        {
            **forged(world),
            "current_password": PASSWORD,
            "new_password": new,
            "confirm": new,
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    db.expire_all()
    user = db.get(User, a.user.id)
    assert (user.role, user.organization_id, user.is_active, user.is_demo) == (
        "partner",
        a.organization.id,
        True,
        False,
    )
    assert user.totp_secret is None and user.password_hash != "$argon2id$forged"


def test_password_change_sent_as_json_takes_no_role_either(client, db, world):
    a = world.a
    sign_in(client, a.user)
    new = "another long passphrase 77"
    client.post(
        "/account/password",
        json={**forged(world), "current_password": PASSWORD, "new_password": new, "confirm": new},
        headers={"X-CSRFToken": client.csrf_token()},
    )
    db.expire_all()
    user = db.get(User, a.user.id)
    assert user.role == "partner" and user.organization_id == a.organization.id


def test_token_and_calendar_feed_belong_to_the_caller(client, db, world):
    a, b = world.a, world.b
    sign_in(client, a.user)
    assert client.post_form("/me/tokens", {**forged(world), "name": "ci job"}).status_code == 303
    token = db.exec(select(ApiToken).where(ApiToken.name == "ci job")).scalar_one()
    assert token.user_id == a.user.id and token.token_hash != "0" * 64 and token.revoked_at is None
    assert client.post_form("/me/calendar", forged(world)).status_code == 303
    feeds = db.exec(select(CalendarFeed).where(CalendarFeed.revoked_at.is_(None))).scalars().all()
    assert sorted(f.user_id for f in feeds) == sorted([a.user.id, b.user.id])
    assert all(f.secret_hash != "0" * 64 for f in feeds)


def test_staff_invite_makes_a_partner_of_the_url_organisation(client, db, world, mailbox):
    sign_in(client, world.staff)
    org = world.a.organization
    client.post_form(
        f"/admin/organizations/{org.id}/invite",
        {**forged(world), "name": "New Person", "email": "new.person@example.org"},
    )
    user = db.exec(select(User).where(User.email == "new.person@example.org")).scalar_one()
    assert (user.role, user.organization_id, user.is_demo, user.password_hash) == (
        "partner",
        org.id,
        False,
        None,
    )


def test_admin_invites_staff_without_an_organisation_and_only_known_roles(client, db, world):
    sign_in(client, world.admin)
    client.post_form(
        "/admin/users/new",
        {**forged(world), "role": "staff", "name": "Staffer", "email": "staffer@example.org"},
    )
    user = db.exec(select(User).where(User.email == "staffer@example.org")).scalar_one()
    assert (user.role, user.organization_id, user.is_demo) == ("staff", None, False)
    client.post_form(
        "/admin/users/new",
        {**forged(world), "role": "superuser", "name": "X", "email": "x@example.org"},
    )
    assert db.exec(select(User).where(User.email == "x@example.org")).first() is None


def test_organisation_forms_ignore_demo_flags_and_keep_the_slug(client, db, world):
    sign_in(client, world.staff)
    fields = {"name": "Cell Makers", "kind": "company", "description": "Cells."}
    client.post_form("/admin/organizations/new", {**forged(world), **fields, "slug": "cell-makers"})
    org = db.exec(select(Organization).where(Organization.slug == "cell-makers")).scalar_one()
    assert org.is_demo is False
    a = world.a.organization
    client.post_form(
        f"/admin/organizations/{a.id}/edit",
        {**forged(world), **fields, "slug": "stolen-slug", "is_demo": "y"},
    )
    db.expire_all()
    edited = db.get(Organization, a.id)
    assert edited.name == "Cell Makers" and edited.slug == a.slug and edited.is_demo is False


def test_agreement_and_milestone_forms_ignore_status_version_and_demo(client, db, world):
    sign_in(client, world.staff)
    today = date.today()
    response = client.post_form(
        "/admin/agreements/new",
        {
            **forged(world),
            "organization_id": str(world.a.organization.id),  # a real field of this form
            "reference": "COE-MA-2025-001",
            "title": "Fresh MoU",
            "kind": "mou",
            "responsible_staff_id": "0",
            "exclusivity": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    agreement = db.exec(
        select(Agreement).where(Agreement.reference == "COE-MA-2025-001")
    ).scalar_one()
    assert (agreement.status, agreement.version, agreement.is_demo) == ("draft", 1, False)
    assert agreement.organization_id == world.a.organization.id
    milestone = client.post_form(
        f"/admin/agreements/{world.a.agreement_id}/milestones",
        {
            **forged(world),
            "title": "Ship samples",
            "kind": "deliverable",
            "owner": "partner",
            "due_on": (today + timedelta(days=30)).isoformat(),
        },
    )
    assert milestone.status_code in (302, 303), milestone.get_data(as_text=True)[:800]
    created = db.exec(select(Milestone).where(Milestone.title == "Ship samples")).scalar_one()
    assert (created.agreement_id, created.status, created.version) == (
        world.a.agreement_id,
        "planned",
        1,
    )


def test_dataset_and_grant_forms_ignore_owner_and_demo(client, db, world):
    sign_in(client, world.staff)
    response = client.post_form(
        "/admin/datasets/new",
        {
            **forged(world),
            "slug": "forged-fields",
            "title": "Forged fields",
            "technology_id": "0",
            "chemistry": "li_ion",
            "test_type": "cycle_life",
            "cell_type": "full",
            "visibility": "restricted",  # a real field of this form
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    dataset = db.exec(select(Dataset).where(Dataset.slug == "forged-fields")).scalar_one()
    assert dataset.created_by_id == world.staff.id
    assert (dataset.is_demo, dataset.version, dataset.visibility) == (False, 1, "restricted")
    grant = client.post_form(
        f"/admin/datasets/{dataset.slug}/grants",
        {
            **forged(world),
            "organization_id": str(world.a.organization.id),
            "agreement_id": "0",
            "dataset_id": "1",
            "revoked_at": "2020-01-01",
        },
    )
    assert grant.status_code in (302, 303), grant.get_data(as_text=True)[:800]
    row = db.exec(select(DatasetGrant).where(DatasetGrant.dataset_id == dataset.id)).scalar_one()
    assert (row.organization_id, row.granted_by_id, row.revoked_at, row.agreement_id) == (
        world.a.organization.id,
        world.staff.id,
        None,
        None,
    )


def test_technology_form_cannot_publish_or_mark_demo(client, db, world):
    sign_in(client, world.staff)
    response = client.post_form(
        "/admin/technologies/new",
        {
            **forged(world),
            "title": "Forged technology",
            "slug": "forged-technology",
            "summary": "A summary.",
            "chemistry": "na_ion",
            "category": "cell",
            "applications": "ev",
            "trl": "4",
            "licensing_status": "available",
            "is_archived": "y",
            "published_at": "2020-01-01T00:00:00",
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:800]
    technology = db.exec(
        select(Technology).where(Technology.slug == "forged-technology")
    ).scalar_one()
    assert (technology.is_published, technology.is_archived, technology.is_demo) == (
        False,
        False,
        False,
    )
    assert technology.version == 1 and technology.published_at is None


def test_public_inquiry_and_staff_note_take_no_status_or_owner(app, client, db, world):
    response = client.post_form(
        f"/technologies/{world.published_slug}/interest",
        {
            **forged(world),
            "name": "Asha",
            "email": "asha@example.in",
            "organization_name": "Volt",
            "interest": "licensing",
            "message": "Please tell us more about licensing terms.",
            "ip_hash": "forged",
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:800]
    inquiry = db.exec(select(Inquiry).where(Inquiry.email == "asha@example.in")).scalar_one()
    assert (inquiry.status, inquiry.organization_id, inquiry.is_demo, inquiry.version) == (
        "new",
        None,
        False,
        1,
    )
    assert inquiry.ip_hash != "forged"
    sign_in(client, world.staff)
    client.post_form(
        f"/admin/inquiries/{inquiry.id}/notes",
        {**forged(world), "body": "Called back.", "inquiry_id": str(world.a.inquiry_id)},
    )
    note = db.exec(select(InquiryNote).where(InquiryNote.body == "Called back.")).scalar_one()
    assert (note.inquiry_id, note.author_id) == (inquiry.id, world.staff.id)


def test_accepting_an_invitation_sets_only_the_password(app, client, db, world, mailbox):
    staff = app.test_client()
    sign_in(staff, world.staff)
    staff.post_form(
        f"/admin/organizations/{world.a.organization.id}/invite",
        {"name": "Invitee", "email": "invitee@example.org"},
    )
    body = mailbox.body(mailbox.to("invitee@example.org")[-1])
    link = re.search(r"/invite/[\w-]+", body).group(0)
    new = "invited person passphrase 9"
    client.post_form(link, {**forged(world), "new_password": new, "confirm": new})
    user = db.exec(select(User).where(User.email == "invitee@example.org")).scalar_one()
    db.refresh(user)
    assert (user.role, user.organization_id, user.is_demo, user.totp_secret) == (
        "partner",
        world.a.organization.id,
        False,
        None,
    )
    assert user.password_hash and user.password_hash != "$argon2id$forged"


def test_the_sweep_covers_every_model_column_it_guards():
    """Guard the guard: each sensitive name exists on some table (a rename would blind the sweep)."""
    names = {c.name for t in SQLModel.metadata.sorted_tables for c in t.columns}
    assert SENSITIVE - {"is_admin"} <= names
    assert inspect(User).columns["role"] is not None


@pytest.mark.parametrize(
    "form_url, fields, status",
    [
        ("/admin/agreements/{agreement}/edit", {"title": "Overwritten", "kind": "mou"}, 409),
        (
            "/admin/milestones/{milestone}/edit",
            {"title": "Overwritten", "kind": "deliverable", "owner": "partner"},
            409,
        ),
        # Built without the record on POST: the incomplete form is simply shown again.
        ("/admin/datasets/{dataset}/edit", {"title": "Overwritten"}, 200),
    ],
    ids=["agreement", "milestone", "dataset"],
)
def test_an_edit_without_its_version_field_is_a_conflict_not_an_overwrite(
    client, db, world, form_url, fields, status
):
    """A form built from the record must not lend a bare POST the record's current version."""
    sign_in(client, world.staff)
    url = form_url.format(
        agreement=world.a.agreement_id, milestone=world.a.milestone_id, dataset=world.a.dataset_slug
    )
    before = snapshot(db)
    response = client.post_form(url, fields)
    assert response.status_code == status, response.status_code
    assert "Overwritten" not in str(snapshot(db)) and snapshot(db) == before
    for model in (Agreement, Milestone, Dataset):
        assert db.execute(select(model).where(model.title == "Overwritten")).first() is None
