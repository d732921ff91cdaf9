"""Stored XSS payloads in every user-editable text and Markdown field never run in Chromium: no
script, no event handler, no `javascript:` link, no htmx attribute acting, no template evaluated,
for the public, a partner and staff; and no Content-Security-Policy violation on any page."""

from __future__ import annotations

import io
import itertools
from datetime import date, timedelta

from portal.accounts.tokens import create_api_token
from portal.agreements.documents import add_document
from portal.agreements.evidence import submit_evidence
from portal.agreements.models import AgreementTechnology
from portal.agreements.services import transition_milestone
from portal.catalog.models import Inquiry, InquiryNote
from portal.datasets import grants as dataset_grants
from portal.datasets import services as datasets
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.cycler_data import write_arbin
from tests.e2e.conftest import sign_in
from tests.security_world import PDF, PNG

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    "[x](javascript:window.__xss=1)",
    "<svg onload=window.__xss=1>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    '<div hx-get="/logout" hx-trigger="load">htmx</div>',
    "SSTI{{7*7}} {% raw %}{{ config }}{% endraw %}",
]
ALL = "\n\n".join(PAYLOADS)  # for long (Markdown) fields: every payload at once
_rotation = itertools.cycle(PAYLOADS)


def one() -> str:
    """The next single payload (short fields get one each, in turn, so each kind lands often)."""
    return next(_rotation)


def seed(app, db, tmp_path) -> dict:
    staff = factories.make_user(db, role="staff", name=one())
    organization = factories.make_organization(
        db, name=f"Org {one()}", description=ALL, city=one(), state=one(), is_public=True
    )
    partner = factories.make_user(db, role="partner", organization=organization, name=one())
    technology = factories.make_technology(
        db,
        title=one(),
        summary=one(),
        description=ALL,
        problem=ALL,
        advantage=ALL,
        applications_text=ALL,
        ip_status=one(),
        patent_refs=one(),
        contact_name=one(),
    )
    agreement = factories.make_agreement(
        db,
        organization=organization,
        title=one(),
        scope=ALL,
        field_of_use=one(),
        territory=one(),
        royalty_text=one(),
        is_announced=True,
        responsible_staff_id=staff.id,
    )
    db.add(AgreementTechnology(agreement_id=agreement.id, technology_id=technology.id))
    db.commit()
    milestone = factories.make_milestone(
        db, agreement, title=one(), description=ALL, due_on=date.today() + timedelta(days=3)
    )
    dataset_file_name = f"{one()}.csv"
    with app.test_request_context():
        add_document(db, agreement, io.BytesIO(PDF), f"{one()}.pdf", title=one(), uploaded_by=staff)
        submit_evidence(
            db,
            milestone,
            partner,
            note=ALL,
            link_url="https://example.org/?q=<script>window.__xss=1</script>",
            stream=io.BytesIO(PNG),
            original_filename=f"{one()}.png",
        )
        transition_milestone(db, milestone, "rejected", version=milestone.version, reason=ALL)
        dataset = datasets.create_dataset(
            db,
            slug="xss-data",
            title=one(),
            description=ALL,
            licence_terms=ALL,
            attribution=ALL,
            cell_format=one(),
            visibility="restricted",
            technology_id=technology.id,
            actor=staff,
        )
        dataset_grants.grant_access(db, dataset, organization_id=organization.id, actor=staff)
        create_api_token(db, partner, one())
        db.commit()
    factories.ingest_into(
        app, dataset, write_arbin(tmp_path / "x.csv", [1.0, 0.99], points=6), dataset_file_name
    )
    public = factories.make_dataset(
        db, slug="xss-public", visibility="public", title=one(), description=ALL, attribution=ALL
    )
    factories.ingest_into(
        app, public, write_arbin(tmp_path / "p.csv", [1.0, 0.98], points=6), f"{one()}.csv"
    )
    inquiry = Inquiry(
        technology_id=technology.id,
        name=one(),
        email="lead@example.org",
        organization_name=one(),
        interest="licensing",
        message=ALL,
    )
    db.add(inquiry)
    db.commit()
    db.add(InquiryNote(inquiry_id=inquiry.id, author_id=staff.id, author_label=one(), body=ALL))
    db.commit()
    return {
        "staff": staff,
        "partner": partner,
        "organization": organization,
        "technology": technology,
        "agreement": agreement,
        "milestone": milestone,
        "dataset": dataset,
        "public": public,
        "inquiry": inquiry,
    }


# What "ran" means, checked in the page after it settles.
PROBE = """() => {
  const all = [...document.querySelectorAll('*')];
  return {
    xss: window.__xss,
    handlers: all.filter(e => [...e.attributes].some(a => a.name.toLowerCase().startsWith('on')))
                 .map(e => e.outerHTML.slice(0, 120)),
    jsLinks: [...document.querySelectorAll('a[href]')]
                 .filter(a => a.getAttribute('href').trim().toLowerCase().startsWith('javascript:'))
                 .map(a => a.outerHTML.slice(0, 120)),
    htmxLogout: [...document.querySelectorAll('[hx-get="/logout"]')].length,
    // Inline scripts that would execute (JSON data blocks never do).
    scripts: [...document.querySelectorAll('script')]
                 .filter(s => !s.src && !['application/json', 'application/ld+json'].includes(s.type))
                 .length,
    text: document.body.innerText,
  };
}"""


def check_pages(page, base: str, paths: list[str], audience: str) -> int:
    """Open each page; fail on anything that ran. Returns how many pages showed a payload."""
    dialogs, logout_requests, shown = [], [], 0
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.context.on(
        "request",
        lambda request: logout_requests.append(request.url) if "/logout" in request.url else None,
    )
    for path in paths:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, (
            f"{audience} {path}: {response and response.status}"
        )
        page.wait_for_load_state("networkidle")
        found = page.evaluate(PROBE)
        where = f"{audience} {path}"
        assert found["xss"] is None, where
        assert found["handlers"] == [], (where, found["handlers"])
        assert found["jsLinks"] == [], (where, found["jsLinks"])
        assert found["htmxLogout"] == 0 and found["scripts"] == 0, where
        assert "SSTI49" not in found["text"], where
        if "window.__xss=1" in found["text"] or "SSTI{{7*7}}" in found["text"]:
            shown += 1
    assert dialogs == [] and logout_requests == [], (dialogs, logout_requests)
    csp = [m for m in page.console_errors if "Content Security Policy" in m]
    assert csp == [], f"{audience}: {csp}"
    assert page.js_errors == [], f"{audience}: {page.js_errors}"
    return shown


def test_stored_payloads_never_run_for_public_partner_or_staff(
    live_server, page, app, db, tmp_path
):
    w = seed(app, db, tmp_path)
    tech, agreement, dataset = w["technology"], w["agreement"], w["dataset"]
    public_paths = [
        "/technologies",
        f"/technologies/{tech.slug}",
        "/technologies?q=%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E",
        "/datasets",
        f"/datasets/{w['public'].slug}",
        "/partners",
    ]
    shown = check_pages(page, live_server, public_paths, "public")
    assert shown >= 4

    sign_in(page, live_server, w["partner"].email, TEST_PASSWORD)
    partner_paths = [
        "/me",
        f"/agreements/{agreement.id}",
        f"/milestones/{w['milestone'].id}",
        f"/datasets/{dataset.slug}",
        "/datasets",
        "/me/tokens",
    ]
    assert check_pages(page, live_server, partner_paths, "partner") == len(partner_paths)

    page.context.clear_cookies()
    sign_in(page, live_server, w["staff"].email, TEST_PASSWORD)
    staff_paths = [
        "/admin",
        "/admin/technologies",
        f"/admin/technologies/{tech.id}/edit",
        "/admin/agreements",
        f"/admin/agreements/{agreement.id}",
        f"/admin/agreements/{agreement.id}/edit",
        "/admin/milestones",
        f"/milestones/{w['milestone'].id}",
        "/admin/organizations",
        f"/admin/organizations/{w['organization'].id}",
        "/admin/users",
        "/admin/inquiries",
        f"/admin/inquiries/{w['inquiry'].id}",
        "/admin/datasets",
        f"/admin/datasets/{dataset.slug}",
        f"/admin/datasets/{dataset.slug}/edit",
        "/admin/audit",
    ]
    assert check_pages(page, live_server, staff_paths, "staff") >= len(staff_paths) - 2
