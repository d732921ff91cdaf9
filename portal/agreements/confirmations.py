"""What the confirmation before a status change says will happen (named, not "Are you sure?")."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.agreements.models import Agreement
from portal.vocabulary import AgreementStatus

S = AgreementStatus


def confirmation_for(
    agreement: Agreement, target: str, open_milestones: int, grants: int, organisation: str = ""
) -> str:
    """The question asked before moving `agreement` to `target` ('' when no question is asked)."""
    if target == S.TERMINATED:
        return _(
            "Terminate agreement %(ref)s with %(organisation)s? It ends now for both sides and "
            "cannot be undone: its terms and milestones can no longer change, "
            "%(milestones)s open milestone(s) stop being reminded, %(grants)s dataset grant(s) "
            "under it stop giving access, and the partner sees it as terminated.",
            ref=agreement.reference,
            organisation=organisation,
            milestones=open_milestones,
            grants=grants,
        )
    if target == S.DRAFT:
        return _(
            "Move %(ref)s back to draft? The partner will no longer see it until it is in "
            "negotiation or signed again.",
            ref=agreement.reference,
        )
    if target == S.COMPLETED:
        return _(
            "Mark %(ref)s completed? This is final: its terms and milestones can no longer change.",
            ref=agreement.reference,
        )
    return ""
