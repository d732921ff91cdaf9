"""Who sees which dataset: every dataset route × visibility × role, grants that lapse by themselves."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from portal.audit.models import AuditEntry
from portal.datasets.models import DatasetFile
from portal.dates import local_today
from tests import factories
from tests.cycler_data import CYCLER_DIR, maccor_head

MACCOR = CYCLER_DIR / "maccor_002.txt"
TODAY = local_today()  # the portal counts days in India (Asia/Kolkata)


@pytest.fixture(scope="module")
def maccor_copy(tmp_path_factory) -> Path:
    """maccor_002.txt cut to its first cycle's worth of lines: small and fast to ingest."""
    path = tmp_path_factory.mktemp("cycler") / "maccor_small.txt"
    path.write_bytes(maccor_head())
    return path


def _routes(slug: str, file_id: int) -> list[str]:
    base = f"/datasets/{slug}/files/{file_id}"
    return [
        f"/datasets/{slug}",
        f"{base}/cycles",
        f"{base}/capacity.json",
        f"{base}/voltage.json?cycles=1",
        f"{base}/download/original",
        f"{base}/download/csv",
        f"{base}/download/parquet",
        f"{base}/download/summary",
        f"/api/v1/datasets/{slug}",
        f"/api/v1/datasets/{slug}/files/{file_id}/cycles",
    ]


def _dataset_with_file(app, db, maccor_copy, visibility: str):
    dataset = factories.make_dataset(db, visibility=visibility, title=f"Marker-{visibility}-title")
    dataset_file = factories.ingest_into(app, dataset, maccor_copy)
    return dataset, dataset_file


def _sees(client, dataset, dataset_file) -> dict[str, int]:
    return {url: client.get(url).status_code for url in _routes(dataset.slug, dataset_file.id)}


def _listed(client, dataset) -> bool:
    page = client.get("/datasets").get_data(as_text=True)
    api = client.get("/api/v1/datasets").get_json()
    in_page = dataset.title in page
    in_api = dataset.slug in [item["slug"] for item in api["items"]]
    assert in_page == in_api
    return in_page


def _assert_all(codes: dict[str, int], expected: int) -> None:
    wrong = {url: code for url, code in codes.items() if code != expected}
    assert not wrong, wrong


# role name -> how to sign the client in; the partner variants differ in agreements and grants
ROLES = [
    "anonymous",
    "partner_no_agreement",
    "partner_active_agreement",
    "partner_granted",
    "staff",
    "admin",
]
# visibility -> roles that may see it
EXPECTED = {
    "public": set(ROLES),
    "partners": {"partner_active_agreement", "partner_granted", "staff", "admin"},
    "restricted": {"partner_granted", "staff", "admin"},
}


@pytest.mark.parametrize("visibility", ["public", "partners", "restricted"])
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, client, db, login_as, maccor_copy, visibility, role):
    dataset, dataset_file = _dataset_with_file(app, db, maccor_copy, visibility)
    if role in ("staff", "admin"):
        login_as(role)
    elif role.startswith("partner"):
        org = factories.make_organization(db)
        if role in ("partner_active_agreement", "partner_granted"):
            factories.make_agreement(db, org)
        if role == "partner_granted":
            factories.make_dataset_grant(db, dataset, org)
        login_as("partner", org)
    allowed = role in EXPECTED[visibility]
    _assert_all(_sees(client, dataset, dataset_file), 200 if allowed else 404)
    assert _listed(client, dataset) == allowed


def test_partners_visibility_needs_an_effectively_active_agreement(
    app, client, db, login_as, maccor_copy
):
    dataset, dataset_file = _dataset_with_file(app, db, maccor_copy, "partners")
    org = factories.make_organization(db)
    # "active" in the table but past its expiry date: effectively expired.
    factories.make_agreement(
        db,
        org,
        status="active",
        effective_on=TODAY - timedelta(days=400),
        expires_on=TODAY - timedelta(days=1),
    )
    factories.make_agreement(db, org, status="negotiation")
    login_as("partner", org)
    _assert_all(_sees(client, dataset, dataset_file), 404)


@pytest.mark.parametrize(
    "grant, agreement",
    [
        ({"expires_on": TODAY - timedelta(days=1)}, None),
        ({"revoked_at": "now"}, None),
        ({}, {"status": "terminated"}),
        (
            {},
            {
                "status": "active",
                "effective_on": TODAY - timedelta(days=90),
                "expires_on": TODAY - timedelta(days=1),
            },
        ),
        ({}, {"status": "signed"}),
    ],
    ids=[
        "grant-expired",
        "grant-revoked",
        "agreement-terminated",
        "agreement-past-expiry",
        "agreement-not-yet-active",
    ],
)
def test_lapsed_grants_open_nothing(app, client, db, login_as, maccor_copy, grant, agreement):
    from portal.db import utcnow

    dataset, dataset_file = _dataset_with_file(app, db, maccor_copy, "restricted")
    org = factories.make_organization(db)
    fields = dict(grant)
    if fields.get("revoked_at") == "now":
        fields["revoked_at"] = utcnow()
    if agreement is not None:
        fields["agreement_id"] = factories.make_agreement(db, org, **agreement).id
    factories.make_dataset_grant(db, dataset, org, **fields)
    login_as("partner", org)
    _assert_all(_sees(client, dataset, dataset_file), 404)
    assert not _listed(client, dataset)


def test_grant_expiring_today_still_counts_and_under_active_agreement(
    app, client, db, login_as, maccor_copy
):
    dataset, dataset_file = _dataset_with_file(app, db, maccor_copy, "restricted")
    org = factories.make_organization(db)
    mou = factories.make_agreement(db, org, status="active")
    # Today read now, not at import: a suite running across midnight in India stays right.
    today = local_today()
    factories.make_dataset_grant(db, dataset, org, expires_on=today, agreement_id=mou.id)
    login_as("partner", org)
    _assert_all(_sees(client, dataset, dataset_file), 200)


def test_revoking_takes_effect_on_the_next_request(app, client, db, login_as, maccor_copy):
    dataset, _file = _dataset_with_file(app, db, maccor_copy, "restricted")
    org = factories.make_organization(db)
    grant = factories.make_dataset_grant(db, dataset, org)
    partner = app.test_client()
    user = factories.make_user(db, organization=org)
    partner.post_form("/login", {"email": user.email, "password": factories.DEFAULT_PASSWORD})
    assert partner.get(f"/datasets/{dataset.slug}").status_code == 200

    login_as("staff")
    revoked = client.post_form(f"/admin/datasets/{dataset.slug}/grants/{grant.id}/revoke")
    assert revoked.status_code == 302
    assert partner.get(f"/datasets/{dataset.slug}").status_code == 404
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "dataset.grant_revoked")).one()
    # Filed under the dataset, with when the grant ended as its before/after.
    assert entry.target_type == "dataset" and entry.target_id == str(dataset.id)
    assert entry.changes["grant_id"] == grant.id
    assert entry.changes["before"] == {"revoked_at": None} and entry.changes["after"]["revoked_at"]


def test_file_of_another_dataset_is_404_even_when_both_are_visible(app, client, db, maccor_copy):
    first, first_file = _dataset_with_file(app, db, maccor_copy, "public")
    second, _ = _dataset_with_file(app, db, maccor_copy, "public")
    assert (
        client.get(f"/datasets/{second.slug}/files/{first_file.id}/capacity.json").status_code
        == 404
    )
    assert (
        client.get(f"/datasets/{first.slug}/files/{first_file.id}/capacity.json").status_code == 200
    )
    assert (
        client.get(f"/datasets/{first.slug}/files/{first_file.id}/download/other").status_code
        == 404
    )


def test_staff_routes_refuse_partners(app, client, db, login_as, maccor_copy):
    dataset, dataset_file = _dataset_with_file(app, db, maccor_copy, "public")
    login_as("partner")
    token = client.csrf_token()
    for url in (
        f"/admin/datasets/{dataset.slug}",
        f"/admin/datasets/{dataset.slug}/files/{dataset_file.id}/delete",
        f"/admin/datasets/{dataset.slug}/delete",
    ):
        method = client.get if url.endswith(dataset.slug) else client.post
        kwargs = {} if method == client.get else {"headers": {"X-CSRFToken": token}}
        assert method(url, **kwargs).status_code == 403
    assert db.get(DatasetFile, dataset_file.id) is not None


def test_shared_with_you_lists_only_what_the_partner_may_open(
    app, client, db, login_as, maccor_copy
):
    granted = factories.make_dataset(db, visibility="restricted", title="Granted marker")
    hidden = factories.make_dataset(db, visibility="restricted", title="Hidden marker")
    org = factories.make_organization(db)
    factories.make_agreement(db, org)
    factories.make_dataset_grant(db, granted, org)
    login_as("partner", org)
    page = client.get("/me").get_data(as_text=True)
    assert "Granted marker" in page
    assert "Hidden marker" not in page
    assert hidden.slug not in page


def test_compare_ignores_datasets_the_visitor_may_not_see(app, client, db, maccor_copy):
    public, _ = _dataset_with_file(app, db, maccor_copy, "public")
    restricted, _ = _dataset_with_file(app, db, maccor_copy, "restricted")
    body = client.get(f"/datasets/compare.json?d={public.slug}&d={restricted.slug}").get_json()
    assert [s["slug"] for s in body["series"]] == [public.slug]
    page = client.get(f"/datasets/compare?d={public.slug}&d={restricted.slug}").get_data(
        as_text=True
    )
    assert restricted.title not in page
