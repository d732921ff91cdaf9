"""JSON API: the caller's agreements and milestones (/api/v1/me/...).

The schemas inherit the declared fields (``AgreementCard``, ``MilestoneCard``), so a new field
shows in the API and the generated OpenAPI document without an edit here.
"""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_login import current_user
from sqlmodel import Field, SQLModel

from portal import db
from portal.agreements import api_bp
from portal.agreements.models import AgreementCard, MilestoneCard
from portal.agreements.queries import my_agreements_query, my_milestones_query, technology_slugs
from portal.dates import local_today
from portal.pagination import Page, paginate
from portal.vocabulary import AgreementStatus, MilestoneStatus


def _status_field(description: str, choices) -> object:
    return Field(
        description=description,
        schema_extra={"json_schema_extra": {"enum": list(choices.values())}},
    )


class AgreementPublic(AgreementCard):
    """What the API tells a partner about one of their agreements."""

    id: int
    reference: str
    status: str = _status_field(
        "Status as in force today: an active agreement past its expiry date reads expired",
        AgreementStatus,
    )
    organization_slug: str
    technology_slugs: list[str]


class MilestonePublic(MilestoneCard):
    """One milestone of the caller's agreements."""

    id: int
    agreement_id: int
    agreement_reference: str
    status: str = _status_field("Where the milestone stands", MilestoneStatus)
    is_overdue: bool = Field(description="Past due and neither accepted nor waived")


def _public(schema: type[SQLModel], record, **derived) -> dict:
    """A record as its public schema's JSON; `derived` gives the values the record lacks."""
    values = {name: getattr(record, name) for name in schema.model_fields.keys() - derived.keys()}
    return schema.model_validate({**values, **derived}).model_dump(mode="json")


def _listing(items: list[dict], page: Page, endpoint: str):
    following = url_for(endpoint, page=page.number + 1, _external=True) if page.has_next else None
    return jsonify({"items": items, "total": page.total, "next": following})


@api_bp.get("/me/agreements")
def my_agreements():
    """The caller's agreements, newest first."""
    session = db.session()
    today = local_today()
    page = paginate(session, my_agreements_query(current_user), request.args.get("page"))
    slugs = technology_slugs(session, [agreement.id for agreement, _slug in page.items])
    items = [
        _public(
            AgreementPublic,
            agreement,
            status=agreement.status_on(today),
            organization_slug=organization_slug,
            technology_slugs=slugs[agreement.id],
        )
        for agreement, organization_slug in page.items
    ]
    return _listing(items, page, "agreements_api.my_agreements")


@api_bp.get("/me/milestones")
def my_milestones():
    """The milestones of the caller's agreements, soonest due first."""
    today = local_today()
    page = paginate(db.session(), my_milestones_query(current_user), request.args.get("page"))
    items = [
        _public(
            MilestonePublic,
            milestone,
            agreement_reference=reference,
            is_overdue=milestone.is_overdue(today),
        )
        for milestone, reference in page.items
    ]
    return _listing(items, page, "agreements_api.my_milestones")
