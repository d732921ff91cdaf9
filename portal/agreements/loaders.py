"""The object rule for agreements: the record a route asks for, or 404 (never 403).

Staff see every agreement; a partner sees only their organisation's, drafts excepted, and
everything under those (milestones, documents, evidence). Another organisation's record and
an id that does not exist look exactly alike.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import ColumnElement, and_

from portal import db
from portal.agreements.models import Agreement, AgreementDocument, Milestone, MilestoneEvidence
from portal.agreements.status import HIDDEN_FROM_PARTNERS


def visible_to(user: Any, agreement: Agreement | None) -> bool:
    """Staff see every agreement; a partner only their organisation's, drafts excepted."""
    if agreement is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    return (
        user.is_partner
        and agreement.organization_id == user.organization_id
        and agreement.status not in HIDDEN_FROM_PARTNERS
    )


def partner_agreements_clause(user: Any) -> ColumnElement[bool]:
    """SQL restricting agreements to what a partner may see."""
    return and_(
        Agreement.organization_id == user.organization_id,
        Agreement.status.not_in(HIDDEN_FROM_PARTNERS),
    )


def get_agreement_or_404(agreement_id: int, for_user: Any) -> Agreement:
    """An agreement the user may see, else 404 (never 403: ids leak nothing)."""
    agreement = db.session().get(Agreement, agreement_id)
    if not visible_to(for_user, agreement):
        abort(404)
    return agreement


def agreement_of(milestone: Milestone) -> Agreement:
    """The agreement a (loaded, visible) milestone belongs to."""
    return db.session().get(Agreement, milestone.agreement_id)


def get_milestone_or_404(milestone_id: int, for_user: Any) -> Milestone:
    """A milestone of an agreement the user may see, else 404."""
    milestone = db.session().get(Milestone, milestone_id)
    if milestone is None or not visible_to(for_user, agreement_of(milestone)):
        abort(404)
    return milestone


def get_document_or_404(agreement_id: int, document_id: int, for_user: Any) -> AgreementDocument:
    """A document of an agreement the user may see, else 404."""
    agreement = get_agreement_or_404(agreement_id, for_user)
    document = db.session().get(AgreementDocument, document_id)
    if document is None or document.agreement_id != agreement.id:
        abort(404)
    return document


def get_evidence_or_404(evidence_id: int, for_user: Any) -> MilestoneEvidence:
    """Evidence on a milestone the user may see, else 404."""
    evidence = db.session().get(MilestoneEvidence, evidence_id)
    if evidence is None:
        abort(404)
    get_milestone_or_404(evidence.milestone_id, for_user)
    return evidence
