"""Milestone evidence: what a partner hands in (a note, a file, a link, a dataset) and its rules.

Handing in moves the milestone to submitted; staff then accept or reject it as an ordinary
milestone transition (services.transition_milestone), so the one status table decides.
"""

from __future__ import annotations

import re
from typing import IO, Any

from flask_babel import gettext as _
from sqlmodel import Session

from portal import uploads
from portal.agreements.models import Agreement, Milestone, MilestoneEvidence
from portal.agreements.notices import evidence_submitted
from portal.agreements.services import transition_milestone
from portal.agreements.status import is_live
from portal.audit.services import record
from portal.changes import add_audited
from portal.datasets.access import can_see
from portal.errors import ServiceError
from portal.vocabulary import MilestoneOwner, MilestoneStatus

KIND = "evidence"  # storage keys are evidence/<stored_name>
LINK_PATTERN = re.compile(r"^https?://[^\s]+$")


def can_submit(user: Any, milestone: Milestone, agreement: Agreement) -> bool:
    """Whether the milestone page offers `user` the evidence form."""
    return (
        getattr(user, "is_partner", False)
        and milestone.owner == MilestoneOwner.PARTNER
        and milestone.is_open
        and is_live(agreement)
    )


def _check_submission(
    db: Session,
    milestone: Milestone,
    submitter: Any,
    note: str,
    link_url: str,
    has_file: bool,
    dataset_id: int | None,
) -> None:
    if not (note or link_url or has_file or dataset_id):
        raise ServiceError(_("Add a note, a file, a link or a dataset."))
    # A partner may point only at a dataset they may open, whichever route they came by.
    if dataset_id and not can_see(submitter, dataset_id):
        raise ServiceError(_("Choose one of the datasets shared with you."))
    if link_url and not LINK_PATTERN.match(link_url):
        raise ServiceError(_("A link must start with http:// or https://."))
    if milestone.owner != MilestoneOwner.PARTNER and not submitter.is_staff:
        raise ServiceError(_("This milestone is the CoE's to deliver."))
    if not milestone.is_open:
        raise ServiceError(_("This milestone is already closed."))
    if not is_live(db.get(Agreement, milestone.agreement_id)):
        raise ServiceError(
            _("Evidence can be handed in only while the agreement is signed or active.")
        )


def submit_evidence(
    db: Session,
    milestone: Milestone,
    submitter: Any,
    *,
    note: str = "",
    link_url: str = "",
    stream: IO[bytes] | None = None,
    original_filename: str = "",
    dataset_id: int | None = None,
) -> MilestoneEvidence:
    """A partner hands in evidence; the milestone becomes submitted (awaiting staff review)."""
    note, link_url = (note or "").strip(), (link_url or "").strip()
    _check_submission(db, milestone, submitter, note, link_url, stream is not None, dataset_id)
    stored = uploads.store_document(db, stream, KIND) if stream is not None else None
    evidence = MilestoneEvidence(
        milestone_id=milestone.id,
        submitted_by_id=submitter.id,
        note=note,
        link_url=link_url[:500],
        stored_name=stored.stored_name if stored else None,
        original_filename=uploads.display_name(original_filename) if stored else "",
        content_type=stored.content_type if stored else "",
        size_bytes=stored.size_bytes if stored else None,
        sha256=stored.sha256 if stored else "",
        dataset_id=dataset_id or None,
    )
    add_audited(
        db,
        evidence,
        "milestone.evidence_submitted",
        on=milestone,
        changes=lambda evidence: {
            "evidence_id": evidence.id,
            "has_file": stored is not None,
            "link_url": evidence.link_url,
            "sha256": evidence.sha256,
            "dataset_id": evidence.dataset_id,
        },
    )
    if milestone.status != MilestoneStatus.SUBMITTED:
        transition_milestone(
            db,
            milestone,
            MilestoneStatus.SUBMITTED,
            version=milestone.version,
            reason=_("Evidence submitted"),
        )
    evidence_submitted(db, milestone, db.get(Agreement, milestone.agreement_id), evidence.id)
    return evidence


def record_evidence_download(db: Session, evidence: MilestoneEvidence) -> None:
    """Audit that an evidence file was downloaded."""
    record(
        db,
        "milestone.evidence_downloaded",
        evidence,
        changes={"milestone_id": evidence.milestone_id},
        label=evidence.original_filename,
    )
