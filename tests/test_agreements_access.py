"""The object rule: a partner reaches only their own organisation's agreements, milestones,
documents and evidence; anything else (another organisation's, a draft, a missing id) is the same 404."""

from __future__ import annotations

import io

import pytest
from sqlmodel import select

from portal.agreements.documents import add_document
from portal.agreements.evidence import submit_evidence
from portal.agreements.models import AgreementDocument, MilestoneEvidence
from tests import factories

PDF = b"%PDF-1.4\n%%EOF\n"
MARKER = "ZEBRA-PRIVATE-7731"


@pytest.fixture
def world(app, db):
    """Organisation B with an agreement, a document, a milestone and evidence; partner A elsewhere."""
    org_a = factories.make_organization(db)
    org_b = factories.make_organization(db, name=f"B {MARKER}")
    agreement = factories.make_agreement(db, organization=org_b, title=MARKER, royalty_text=MARKER)
    draft = factories.make_agreement(db, organization=org_a, status="draft", title="A draft")
    milestone = factories.make_milestone(db, agreement, title=f"Milestone {MARKER}")
    staff = factories.make_user(db, role="staff")
    partner_b = factories.make_user(db, role="partner", organization=org_b)
    with app.test_request_context():
        document = add_document(db, agreement, io.BytesIO(PDF), "b.pdf", uploaded_by=staff)
        evidence = submit_evidence(
            db, milestone, partner_b, note=MARKER, stream=io.BytesIO(PDF), original_filename="e.pdf"
        )
        db.commit()
    return {
        "org_a": org_a,
        "agreement": agreement,
        "draft": draft,
        "milestone": milestone,
        "document": document,
        "evidence": evidence,
    }


def object_routes(w) -> list[tuple[str, str]]:
    a, m, d, e = w["agreement"], w["milestone"], w["document"], w["evidence"]
    return [
        ("GET", f"/agreements/{a.id}"),
        ("GET", f"/milestones/{m.id}"),
        ("POST", f"/milestones/{m.id}/evidence"),
        ("GET", f"/agreements/{a.id}/documents/{d.id}"),
        ("GET", f"/evidence/{e.id}/file"),
        # The right document id under the wrong agreement is no way in either.
        ("GET", f"/agreements/{w['draft'].id}/documents/{d.id}"),
        # A draft of the partner's own organisation is not shown yet.
        ("GET", f"/agreements/{w['draft'].id}"),
    ]


def missing_routes() -> list[tuple[str, str]]:
    return [
        ("GET", "/agreements/987654"),
        ("GET", "/milestones/987654"),
        ("POST", "/milestones/987654/evidence"),
        ("GET", "/agreements/987654/documents/987654"),
        ("GET", "/evidence/987654/file"),
    ]


def test_partner_a_gets_404_for_everything_of_partner_b(app, client, db, login_as, world):
    login_as("partner", world["org_a"])
    token = client.csrf_token()
    evidence_before = len(db.exec(select(MilestoneEvidence)).all())
    bodies = {}
    for method, url in object_routes(world) + missing_routes():
        response = client.open(
            url, method=method, data={"csrf_token": token, "note": "sneaky"}, headers={}
        )
        assert response.status_code == 404, f"{method} {url} -> {response.status_code}"
        bodies[url] = response.get_data(as_text=True)
        assert MARKER not in bodies[url]

    # Another organisation's record and a missing id look exactly alike.
    def strip(body: str) -> str:  # the page's main part, without the per-error reference id
        return body.split("<main")[1].split("<code>")[0]

    assert strip(bodies[f"/agreements/{world['agreement'].id}"]) == strip(
        bodies["/agreements/987654"]
    )
    assert len(db.exec(select(MilestoneEvidence)).all()) == evidence_before


def test_partner_lists_and_feeds_show_nothing_of_partner_b(app, client, db, login_as, world):
    login_as("partner", world["org_a"])
    for url in (
        "/me",
        "/api/v1/me/agreements",
        "/api/v1/me/milestones",
        "/partners",
        "/me/tokens",
        "/me/calendar",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert MARKER not in response.get_data(as_text=True), url
    page = client.post_form("/me/calendar", follow_redirects=True).get_data(as_text=True)
    feed_path = page.split('value="http://localhost')[1].split('"')[0]
    assert MARKER not in app.test_client().get(feed_path).get_data(as_text=True)


def test_partner_b_and_staff_reach_the_records(app, client, db, login_as, world):
    partner_b = db.exec(
        select(factories.User).where(
            factories.User.organization_id == world["agreement"].organization_id
        )
    ).first()
    browser = app.test_client()
    browser.post_form("/login", {"email": partner_b.email, "password": factories.DEFAULT_PASSWORD})
    for method, url in object_routes(world)[:5]:
        if method == "GET":
            assert browser.get(url).status_code == 200, url
    assert MARKER in browser.get("/me").get_data(as_text=True)
    login_as("staff")
    for method, url in object_routes(world)[:5]:
        if method == "GET":
            assert client.get(url).status_code in (200, 302), url  # staff go to the admin page
    assert client.get(object_routes(world)[5][1]).status_code == 404  # mismatched ids stay 404
    assert client.get(f"/admin/agreements/{world['draft'].id}").status_code == 200
    assert client.get(f"/admin/agreements/{world['agreement'].id}").status_code == 200


def test_staff_pages_refuse_partners(app, client, db, login_as, world):
    login_as("partner", world["agreement"] and factories.make_organization(db))
    for url in (
        "/admin/agreements",
        f"/admin/agreements/{world['agreement'].id}",
        f"/admin/agreements/{world['agreement'].id}/edit",
        "/admin/milestones",
        "/admin",
    ):
        assert client.get(url).status_code == 403, url
    response = client.post_form(
        f"/admin/milestones/{world['milestone'].id}/status",
        {"to_status": "accepted", "version": "2"},
    )
    assert response.status_code == 403
    db.refresh(world["milestone"])
    assert world["milestone"].status == "submitted"
    assert db.exec(select(AgreementDocument)).one().agreement_id == world["agreement"].id
