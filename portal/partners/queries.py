"""What the partner pages read: the dashboard's lists, the public partner list and one's API tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import abort
from sqlmodel import Session, select

from portal.accounts.models import ApiToken, Organization, User
from portal.agreements.loaders import partner_agreements_clause
from portal.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementTechnology,
    Milestone,
    MilestoneEvidence,
)
from portal.catalog.models import Technology
from portal.vocabulary import AgreementStatus

DUE_SOON_DAYS = 30
RECENT_SUBMISSIONS = 50
# Announced agreements show on the public partner list while signed, in force or completed.
PUBLIC_STATUSES = (AgreementStatus.SIGNED, AgreementStatus.ACTIVE, AgreementStatus.COMPLETED)


@dataclass
class PartnerDashboard:
    """Everything the signed-in partner's organisation has with the CoE."""

    agreements: list[Agreement]
    milestones: list[tuple[Milestone, str]]
    documents: list[tuple[AgreementDocument, str]]
    submissions: list[tuple[MilestoneEvidence, Milestone, str | None]]
    due_soon: list[tuple[Milestone, str]] = field(default_factory=list)


def partner_dashboard(db: Session, user: Any, today: date) -> PartnerDashboard:
    """The partner's agreements, milestones, documents and recent submissions (four queries)."""
    visible = partner_agreements_clause(user)
    milestones = db.exec(
        select(Milestone, Agreement.reference)
        .join(Agreement, Agreement.id == Milestone.agreement_id)
        .where(visible)
        .order_by(Milestone.due_on, Milestone.id)
    ).all()
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    return PartnerDashboard(
        agreements=list(
            db.exec(
                select(Agreement)
                .where(visible)
                .order_by(Agreement.created_at.desc(), Agreement.id.desc())
            ).all()
        ),
        milestones=list(milestones),
        due_soon=[(m, ref) for m, ref in milestones if m.is_open and today <= m.due_on <= horizon],
        documents=list(
            db.exec(
                select(AgreementDocument, Agreement.reference)
                .join(Agreement, Agreement.id == AgreementDocument.agreement_id)
                .where(visible)
                .order_by(AgreementDocument.created_at.desc(), AgreementDocument.id.desc())
            ).all()
        ),
        submissions=list(
            db.exec(
                select(MilestoneEvidence, Milestone, User.name)
                .join(Milestone, Milestone.id == MilestoneEvidence.milestone_id)
                .join(Agreement, Agreement.id == Milestone.agreement_id)
                .outerjoin(User, User.id == MilestoneEvidence.submitted_by_id)
                .where(visible)
                .order_by(MilestoneEvidence.created_at.desc(), MilestoneEvidence.id.desc())
                .limit(RECENT_SUBMISSIONS)
            ).all()
        ),
    )


def announced_partners(db: Session, today: date) -> list[dict]:
    """Public organisations with announced agreements, their kinds and public technologies."""
    announced = (
        Agreement.is_announced,
        Organization.is_public,
        Agreement.status_on(today).in_(PUBLIC_STATUSES),
    )
    rows = db.exec(
        select(Organization, Agreement.kind)
        .join(Agreement, Agreement.organization_id == Organization.id)
        .where(*announced)
        .order_by(Organization.name, Agreement.id)
    ).all()
    tech_rows = db.exec(
        select(Agreement.organization_id, Technology)
        .join(AgreementTechnology, AgreementTechnology.agreement_id == Agreement.id)
        .join(Technology, Technology.id == AgreementTechnology.technology_id)
        .join(Organization, Organization.id == Agreement.organization_id)
        .where(*announced)
        .order_by(Technology.title)
    ).all()
    partners: dict[int, dict] = {}
    for organization, kind in rows:
        entry = partners.setdefault(
            organization.id, {"organization": organization, "kinds": [], "technologies": []}
        )
        if kind not in entry["kinds"]:
            entry["kinds"].append(kind)
    for organization_id, technology in tech_rows:
        entry = partners.get(organization_id)
        if (
            entry is not None
            and technology.is_public
            and all(t.id != technology.id for t in entry["technologies"])
        ):
            entry["technologies"].append(technology)
    return list(partners.values())


def tokens_of(db: Session, user: Any) -> list[ApiToken]:
    """The user's personal API tokens, newest first."""
    return list(
        db.exec(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        ).all()
    )


def get_own_token_or_404(db: Session, token_id: int, user: Any) -> ApiToken:
    """One of the user's own tokens; another user's token id answers 404."""
    token = db.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        abort(404)
    return token
