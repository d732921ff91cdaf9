"""JSON API: the caller's agreements and milestones (/api/v1/me/...)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import jsonify, request, url_for
from flask_login import current_user
from pydantic import BaseModel
from sqlalchemy import ColumnElement
from sqlmodel import select

from portal import db
from portal.accounts.models import Organization
from portal.agreements import api_bp, services
from portal.agreements.models import Agreement, AgreementTechnology, Milestone
from portal.catalog.models import Technology
from portal.pagination import paginate


class AgreementPublic(BaseModel):
    """What the API tells a partner about one of their agreements."""

    id: int
    reference: str
    title: str
    kind: str
    status: str
    organization_slug: str
    scope: str
    exclusivity: str
    field_of_use: str
    territory: str
    royalty_text: str
    royalty_pct: float | None
    signed_on: date | None
    effective_on: date | None
    expires_on: date | None
    technology_slugs: list[str]


class MilestonePublic(BaseModel):
    """One milestone of the caller's agreements."""

    id: int
    agreement_id: int
    agreement_reference: str
    title: str
    kind: str
    owner: str
    due_on: date
    amount_inr: float | None
    status: str
    is_overdue: bool


def _money(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _my_agreements_clause() -> ColumnElement[bool]:
    """A partner's: their organisation's (drafts excepted); staff: those they are responsible for."""
    if current_user.is_staff:
        return Agreement.responsible_staff_id == current_user.id
    return services.partner_agreements_clause(current_user)


def _next_url(endpoint: str, page) -> str | None:
    if not page.has_next:
        return None
    return url_for(endpoint, page=page.number + 1, _external=True)


@api_bp.get("/me/agreements")
def my_agreements():
    """The caller's agreements, newest first."""
    session = db.session()
    today = services.local_today()
    query = (
        select(Agreement, Organization.slug)
        .join(Organization, Organization.id == Agreement.organization_id)
        .where(_my_agreements_clause())
        .order_by(Agreement.created_at.desc(), Agreement.id.desc())
    )
    page = paginate(session, query, request.args.get("page"))
    ids = [agreement.id for agreement, _slug in page.items]
    slugs: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for agreement_id, slug in session.exec(
            select(AgreementTechnology.agreement_id, Technology.slug)
            .join(Technology, Technology.id == AgreementTechnology.technology_id)
            .where(AgreementTechnology.agreement_id.in_(ids))
            .order_by(Technology.slug)
        ).all():
            slugs[agreement_id].append(slug)
    items = [
        AgreementPublic(
            id=a.id,
            reference=a.reference,
            title=a.title,
            kind=a.kind,
            status=services.effective_status(a, today),
            organization_slug=org_slug,
            scope=a.scope,
            exclusivity=a.exclusivity,
            field_of_use=a.field_of_use,
            territory=a.territory,
            royalty_text=a.royalty_text,
            royalty_pct=_money(a.royalty_pct),
            signed_on=a.signed_on,
            effective_on=a.effective_on,
            expires_on=a.expires_on,
            technology_slugs=slugs[a.id],
        ).model_dump(mode="json")
        for a, org_slug in page.items
    ]
    return jsonify(
        {
            "items": items,
            "total": page.total,
            "next": _next_url("agreements_api.my_agreements", page),
        }
    )


@api_bp.get("/me/milestones")
def my_milestones():
    """The milestones of the caller's agreements, soonest due first."""
    session = db.session()
    today = services.local_today()
    query = (
        select(Milestone, Agreement.reference)
        .join(Agreement, Agreement.id == Milestone.agreement_id)
        .where(_my_agreements_clause())
        .order_by(Milestone.due_on, Milestone.id)
    )
    page = paginate(session, query, request.args.get("page"))
    items = [
        MilestonePublic(
            id=m.id,
            agreement_id=m.agreement_id,
            agreement_reference=reference,
            title=m.title,
            kind=m.kind,
            owner=m.owner,
            due_on=m.due_on,
            amount_inr=_money(m.amount_inr),
            status=m.status,
            is_overdue=m.is_overdue(today),
        ).model_dump(mode="json")
        for m, reference in page.items
    ]
    return jsonify(
        {
            "items": items,
            "total": page.total,
            "next": _next_url("agreements_api.my_milestones", page),
        }
    )
