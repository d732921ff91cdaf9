"""A seeded "world" for the security battery: two partner organisations whose every text field
carries a marker of their own, plus staff, an admin, datasets in every visibility and
technologies in every state.

Markers: ``world.marker("A")`` is a base such as ``MKA3f9c0d1e``; each field stores
``<base>-<field>`` (upper case) and e-mail addresses ``<base lower>-<field>@example.org``.
``world.leaks("A", text)`` finds them (the bare base, which a search box may echo back, is not
a leak). Staff-only content (draft and archived technologies, an unshared dataset, inquiry notes)
carries the ``S`` marker.
"""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from flask import Flask
from sqlmodel import Session

from portal.accounts.models import Organization, User
from portal.accounts.tokens import create_api_token
from portal.agreements.documents import add_document
from portal.agreements.evidence import submit_evidence
from portal.agreements.models import AgreementTechnology
from portal.catalog.models import Inquiry, InquiryNote
from portal.datasets import grants as dataset_grants
from portal.datasets import services as datasets
from portal.licensing.models import ApplicationStep, LicenceApplication
from portal.partners import services as partners
from portal.patents.models import Patent
from tests import factories
from tests.cycler_data import write_arbin

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PASSWORD = factories.DEFAULT_PASSWORD


@dataclass
class Party:
    """One partner organisation and everything it owns (ids, slugs, secrets)."""

    key: str
    marker: str
    organization: Organization
    user: User
    colleague: User  # a second partner user of the same organisation (the one to disable)
    agreement_id: int
    draft_agreement_id: int
    milestone_id: int
    submitted_milestone_id: int
    document_id: int
    evidence_id: int
    dataset_slug: str
    dataset_file_id: int
    grant_id: int
    api_token: str
    api_token_id: int
    calendar_secret: str
    inquiry_id: int
    application_id: int

    def m(self, name: str) -> str:
        """The marker of one field, e.g. ``MKA3f9c0d1e-scope``."""
        return f"{self.marker}-{name}"

    def email(self, name: str) -> str:
        return f"{self.marker.lower()}-{name}@example.org"


@dataclass
class World:
    a: Party
    b: Party
    staff: User
    admin: User
    staff_marker: str
    public_dataset_slug: str
    public_file_id: int
    partners_dataset_slug: str
    unshared_dataset_slug: str
    published_slug: str
    draft_slug: str
    archived_slug: str
    draft_technology_id: int
    draft_patent_id: int
    staff_inquiry_id: int
    extra: dict = field(default_factory=dict)

    def party(self, key: str) -> Party:
        return {"A": self.a, "B": self.b}[key]

    def marker(self, key: str) -> str:
        return self.staff_marker if key == "S" else self.party(key).marker

    def leaks(self, key: str, text: str) -> list[str]:
        """Every field marker of `key` found in `text` (case-insensitive: e-mails are lower case)."""
        base = re.escape(self.marker(key))
        return sorted(set(re.findall(rf"(?i){base}-[a-z0-9_]+", text)))


def _marker(prefix: str) -> str:
    return f"MK{prefix}{secrets.token_hex(5)}"


def _party(app: Flask, db: Session, key: str, staff: User, technology_id: int, tmp: Path) -> Party:
    marker = _marker(key)

    def m(name: str) -> str:
        return f"{marker}-{name}"

    organization = factories.make_organization(
        db,
        name=f"Org {m('org_name')}",
        slug=f"org-{key.lower()}-{secrets.token_hex(3)}",
        description=m("org_description"),
        city=m("org_city"),
        state=m("org_state"),
        website=f"https://example.org/{m('org_website')}",
        is_public=False,
    )
    user = factories.make_user(
        db,
        role="partner",
        organization=organization,
        name=m("user_name"),
        email=f"{marker.lower()}-user@example.org",
    )
    colleague = factories.make_user(
        db,
        role="partner",
        organization=organization,
        name=m("colleague_name"),
        email=f"{marker.lower()}-colleague@example.org",
    )
    agreement = factories.make_agreement(
        db,
        organization=organization,
        reference=f"{marker.upper()}-REF",
        title=m("agreement_title"),
        scope=m("agreement_scope"),
        field_of_use=m("agreement_field_of_use"),
        territory=m("agreement_territory"),
        royalty_text=m("agreement_royalty_text"),
        responsible_staff_id=staff.id,
    )
    db.add(AgreementTechnology(agreement_id=agreement.id, technology_id=technology_id))
    db.commit()
    draft = factories.make_agreement(
        db,
        organization=organization,
        reference=f"{marker.upper()}-DRAFT",
        title=m("draft_title"),
        scope=m("draft_scope"),
        status="draft",
    )
    milestone = factories.make_milestone(
        db,
        agreement,
        title=m("milestone_title"),
        description=m("milestone_description"),
        due_on=date.today() + timedelta(days=5),
    )
    submitted = factories.make_milestone(
        db,
        agreement,
        title=m("submitted_title"),
        description=m("submitted_description"),
        due_on=date.today() + timedelta(days=9),
    )
    with app.test_request_context():
        document = add_document(
            db,
            agreement,
            io.BytesIO(PDF),
            f"{m('document_file')}.pdf",
            title=m("document_title"),
            uploaded_by=staff,
        )
        evidence = submit_evidence(
            db,
            submitted,
            user,
            note=m("evidence_note"),
            link_url=f"https://example.org/{m('evidence_link')}",
            stream=io.BytesIO(PNG),
            original_filename=f"{m('evidence_file')}.png",
        )
        dataset = datasets.create_dataset(
            db,
            slug=f"ds-{key.lower()}-{secrets.token_hex(3)}",
            title=m("dataset_title"),
            description=m("dataset_description"),
            licence_terms=m("dataset_licence"),
            attribution=m("dataset_attribution"),
            cell_format=m("dataset_cell_format"),
            chemistry="na_ion",
            visibility="restricted",
            actor=staff,
        )
        grant = dataset_grants.grant_access(
            db, dataset, organization_id=organization.id, agreement_id=agreement.id, actor=staff
        )
        token, raw_token = create_api_token(db, user, m("token_name"))
        _feed, calendar_secret = partners.create_calendar_feed(db, user)
        db.commit()
    cycler = write_arbin(tmp / f"{key}.csv", [1.0, 0.99], points=6)
    dataset_file = factories.ingest_into(app, dataset, cycler, f"{m('dataset_file')}.csv")
    inquiry = Inquiry(
        name=m("inquiry_name"),
        email=f"{marker.lower()}-inquiry@example.org",
        organization_name=m("inquiry_org"),
        interest="licensing",
        message=m("inquiry_message"),
        organization_id=organization.id,
    )
    db.add(inquiry)
    application = LicenceApplication(
        reference=m("APP")[:30],
        technology_id=technology_id,
        organization_id=organization.id,
        applicant_id=user.id,
        contact_name=m("applicant"),
        contact_email=f"{marker.lower()}-applicant@example.org",
        licence_type="startup",
        field_of_use=m("field_of_use"),
        territory="India",
        company_name=m("applicant_company"),
        company_size="startup",
        business_plan=m("business_plan"),
    )
    db.add(application)
    db.flush()
    db.add(ApplicationStep(application_id=application.id, to_stage="received", message=m("step")))
    db.commit()
    return Party(
        key=key,
        marker=marker,
        organization=organization,
        user=user,
        colleague=colleague,
        agreement_id=agreement.id,
        draft_agreement_id=draft.id,
        milestone_id=milestone.id,
        submitted_milestone_id=submitted.id,
        document_id=document.id,
        evidence_id=evidence.id,
        dataset_slug=dataset.slug,
        dataset_file_id=dataset_file.id,
        grant_id=grant.id,
        api_token=raw_token,
        api_token_id=token.id,
        calendar_secret=calendar_secret,
        inquiry_id=inquiry.id,
        application_id=application.id,
    )


def seed_world(app: Flask, db: Session, tmp: Path) -> World:
    """Seed the world (commits); returns ids, slugs, secrets and markers."""
    staff_marker = _marker("S")
    staff = factories.make_user(db, role="staff", name="Staff Member")
    admin = factories.make_user(db, role="admin", name="Admin Person")
    published = factories.make_technology(db, title="Published sodium cell")
    draft = factories.make_technology(
        db,
        title=f"{staff_marker}-draft_title",
        summary=f"{staff_marker}-draft_summary",
        description=f"{staff_marker}-draft_description",
        is_published=False,
    )
    draft_patent = Patent(
        technology_id=draft.id,
        jurisdiction="IN",
        application_number="202341099999",
        filing_date=date(2023, 1, 2),
        family=f"{staff_marker}-patent_family",
    )
    db.add(draft_patent)
    db.commit()
    archived = factories.make_technology(
        db,
        title=f"{staff_marker}-archived_title",
        summary=f"{staff_marker}-archived_summary",
        is_archived=True,
    )
    public = factories.make_dataset(db, visibility="public", title="Public cycle-life data")
    public_file = factories.ingest_into(
        app, public, write_arbin(tmp / "public.csv", [1.0, 0.98], points=6)
    )
    shared = factories.make_dataset(db, visibility="partners", title="Data for every partner")
    unshared = factories.make_dataset(
        db,
        visibility="restricted",
        title=f"{staff_marker}-unshared_title",
        description=f"{staff_marker}-unshared_description",
    )
    a = _party(app, db, "A", staff, published.id, tmp)
    b = _party(app, db, "B", staff, published.id, tmp)
    general = Inquiry(
        name=f"{staff_marker}-lead_name",
        email=f"{staff_marker.lower()}-lead@example.org",
        interest="testing_services",
        message=f"{staff_marker}-lead_message",
    )
    db.add(general)
    db.commit()
    db.add(InquiryNote(inquiry_id=a.inquiry_id, author_id=staff.id, body=f"{staff_marker}-note"))
    db.commit()
    return World(
        a=a,
        b=b,
        staff=staff,
        admin=admin,
        staff_marker=staff_marker,
        public_dataset_slug=public.slug,
        public_file_id=public_file.id,
        partners_dataset_slug=shared.slug,
        unshared_dataset_slug=unshared.slug,
        published_slug=published.slug,
        draft_slug=draft.slug,
        archived_slug=archived.slug,
        draft_technology_id=draft.id,
        draft_patent_id=draft_patent.id,
        staff_inquiry_id=general.id,
    )


def sign_in(client, user: User, password: str = PASSWORD) -> None:
    """Sign a test client in as `user` (asserts the login worked)."""
    response = client.post_form("/login", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
