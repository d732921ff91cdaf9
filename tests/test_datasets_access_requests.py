"""Access requests (issue 13 part 3): a restricted dataset may show a public metadata card with
"Request access"; the request takes a purpose and the terms (version and time recorded); staff
approve (a grant under an agreement) or decline with a reason; the requester hears either way.
A dataset without a card stays invisible."""

from __future__ import annotations

import hashlib
from email.header import decode_header, make_header

from sqlmodel import select

from portal.datasets.models import AccessRequest, DatasetGrant
from tests import factories
from tests.cycler_data import write_arbin

TERMS = "Research use only. Cite the CoE. No redistribution."


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def version_of(terms: str) -> str:
    return hashlib.sha256(terms.encode()).hexdigest()[:12]


def requests(db) -> list[AccessRequest]:
    db.expire_all()
    return list(db.exec(select(AccessRequest)).all())


def _dataset(app, db, tmp_path, **overrides):
    dataset = factories.make_dataset(
        db,
        **{
            "title": "Pouch cells at 45 °C",
            "cell_format": "5 Ah pouch",
            "licence_terms": TERMS,
            "public_card": True,
            **overrides,
        },
    )
    factories.ingest_into(
        app, dataset, write_arbin(tmp_path / "secret-run.csv", [1.0, 0.99, 0.98], points=5)
    )
    return dataset


def test_without_a_card_a_restricted_dataset_stays_invisible(app, client, db, login_as, tmp_path):
    hidden = _dataset(app, db, tmp_path, public_card=False)
    assert client.get(f"/datasets/{hidden.slug}").status_code == 404
    login_as("partner")
    assert client.get(f"/datasets/{hidden.slug}").status_code == 404
    response = client.post_form(
        f"/datasets/{hidden.slug}/access-request",
        {"purpose": "Benchmarking our BMS.", "accept_terms": version_of(TERMS)},
    )
    assert response.status_code == 404 and requests(db) == []


def test_the_card_shows_metadata_and_terms_but_no_data(app, client, db, tmp_path):
    dataset = _dataset(app, db, tmp_path)
    page = client.get(f"/datasets/{dataset.slug}").get_data(as_text=True)
    for text in (
        "Pouch cells at 45 °C",
        "Sodium-ion",
        "5 Ah pouch",
        TERMS,
        "Sign in to request access",
    ):
        assert text in page, text
    cycles = page.split("<dt>Cycles</dt><dd>")[1].split("</dd>")[0]
    assert cycles == "3"
    assert "secret-run" not in page and "/download/" not in page and "capacity.json" not in page
    assert client.get(f"/datasets/{dataset.slug}/files/1/cycles").status_code == 404


def test_a_partner_requests_access_and_the_terms_version_is_recorded(
    app, client, db, login_as, mailbox, tmp_path
):
    staff = factories.make_user(db, role="staff")
    dataset = _dataset(app, db, tmp_path)
    partner = login_as("partner")
    url = f"/datasets/{dataset.slug}/access-request"
    for data, message in (
        ({"purpose": "Benchmarking our BMS against your cells."}, "Accept the dataset"),
        ({"purpose": "short", "accept_terms": version_of(TERMS)}, "10 to 2000 characters"),
        # The terms changed since the page was shown: the old acceptance does not count.
        ({"purpose": "Benchmarking our BMS.", "accept_terms": version_of("old terms")}, "Accept"),
    ):
        response = client.post_form(url, data)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert requests(db) == []

    response = client.post_form(
        url,
        {"purpose": "Benchmarking our BMS against your cells.", "accept_terms": version_of(TERMS)},
    )
    assert response.status_code == 303
    [access] = requests(db)
    assert access.terms_version == version_of(TERMS) and access.terms_accepted_at is not None
    assert (access.organization_id, access.requester_id) == (partner.organization_id, partner.id)
    assert "Access requested" in subject(mailbox.to(staff.email)[0])
    page = client.get(f"/datasets/{dataset.slug}").get_data(as_text=True)
    assert "is waiting for a decision" in page
    again = client.post_form(
        url,
        {"purpose": "Benchmarking our BMS against your cells.", "accept_terms": version_of(TERMS)},
    )
    assert "already has a request waiting" in again.get_data(as_text=True)
    assert len(requests(db)) == 1


def test_staff_approve_under_an_agreement_and_the_partner_gets_the_data(
    app, client, db, login_as, mailbox, tmp_path
):
    dataset = _dataset(app, db, tmp_path)
    organization = factories.make_organization(db)
    partner = factories.make_user(db, role="partner", organization=organization)
    agreement = factories.make_agreement(db, organization)
    others = factories.make_agreement(db)
    access = AccessRequest(
        dataset_id=dataset.id,
        organization_id=organization.id,
        requester_id=partner.id,
        purpose="Benchmarking.",
        terms_version=version_of(TERMS),
    )
    db.add(access)
    db.commit()
    login_as("staff")
    url = f"/admin/access-requests/{access.id}/approve"
    for agreement_id in ("", str(others.id)):
        page = client.post_form(
            url, {"version": 1, "agreement_id": agreement_id}, follow_redirects=True
        ).get_data(as_text=True)
        assert "Choose one of the organisation&#39;s agreements" in page
    assert db.exec(select(DatasetGrant)).all() == []

    client.post_form(url, {"version": 1, "agreement_id": str(agreement.id)})
    [grant] = db.exec(select(DatasetGrant)).all()
    assert (grant.organization_id, grant.agreement_id) == (organization.id, agreement.id)
    [approved] = requests(db)
    assert approved.status == "approved" and approved.grant_id == grant.id
    assert "now have access" in subject(mailbox.to(partner.email)[0])
    viewer = app.test_client()
    viewer.post_form("/login", {"email": partner.email, "password": factories.DEFAULT_PASSWORD})
    assert "secret-run" in viewer.get(f"/datasets/{dataset.slug}").get_data(as_text=True)


def test_staff_decline_with_a_reason_the_requester_reads(
    app, client, db, login_as, mailbox, tmp_path
):
    dataset = _dataset(app, db, tmp_path)
    organization = factories.make_organization(db)
    partner = factories.make_user(db, role="partner", organization=organization)
    access = AccessRequest(
        dataset_id=dataset.id,
        organization_id=organization.id,
        requester_id=partner.id,
        purpose="Benchmarking.",
        terms_version=version_of(TERMS),
    )
    db.add(access)
    db.commit()
    login_as("staff")
    url = f"/admin/access-requests/{access.id}/decline"
    page = client.post_form(url, {"version": 1, "reason": ""}, follow_redirects=True)
    assert "Say why" in page.get_data(as_text=True) and requests(db)[0].status == "pending"
    client.post_form(url, {"version": 1, "reason": "The data is under embargo until June."})
    assert requests(db)[0].status == "declined"
    [mail] = mailbox.to(partner.email)
    assert "declined" in subject(mail) and "embargo until June" in mailbox.body(mail)
    viewer = app.test_client()
    viewer.post_form("/login", {"email": partner.email, "password": factories.DEFAULT_PASSWORD})
    card = viewer.get(f"/datasets/{dataset.slug}").get_data(as_text=True)
    assert "declined: The data is under embargo until June." in card
    assert "secret-run" not in card
