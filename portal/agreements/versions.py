"""Renewals and amendments: a new draft agreement linked to the version it follows, and the
history (every version of one agreement, oldest first) shown as a timeline (flushes, never commits).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlmodel import Session, select

from portal.agreements.labels import status_in_words
from portal.agreements.models import Agreement
from portal.agreements.services import AGREEMENT_EDITABLE, create_agreement, technology_ids_of
from portal.agreements.status import effective_status
from portal.changes import add_audited
from portal.errors import ServiceError
from portal.vocabulary import AgreementStatus, ChangeKind

S = AgreementStatus
# A renewal continues an agreement that was signed; an amendment changes one still running.
MAY_FOLLOW: dict[str, tuple[str, ...]] = {
    ChangeKind.RENEWAL: (S.SIGNED, S.ACTIVE, S.EXPIRED, S.COMPLETED),
    ChangeKind.AMENDMENT: (S.SIGNED, S.ACTIVE),
}
SUFFIX = {ChangeKind.RENEWAL: "R", ChangeKind.AMENDMENT: "A"}
MAX_CHAIN = 100  # a guard against a cycle in hand-edited data


def root_of(db: Session, agreement: Agreement) -> Agreement:
    """The original agreement a chain of renewals and amendments started from."""
    current, seen = agreement, 0
    while current.previous_id and seen < MAX_CHAIN:
        previous = db.get(Agreement, current.previous_id)
        if previous is None:
            break
        current, seen = previous, seen + 1
    return current


def history_of(db: Session, agreement: Agreement) -> list[Agreement]:
    """Every version in the agreement's family, oldest first (one query per generation)."""
    family = [root_of(db, agreement)]
    frontier = [family[0].id]
    while frontier and len(family) < MAX_CHAIN:
        children = db.exec(
            select(Agreement).where(Agreement.previous_id.in_(frontier)).order_by(Agreement.id)
        ).all()
        family.extend(children)
        frontier = [child.id for child in children]
    return sorted(family, key=lambda a: (a.created_at, a.id))


@dataclass
class TimelineEntry:
    agreement: Agreement
    change: str  # ChangeKind code
    status: str  # effective status
    is_current: bool


def timeline(db: Session, agreement: Agreement, *, for_partner: bool) -> list[TimelineEntry]:
    """The history as the agreement page shows it (partners never see staff drafts)."""
    if (
        not agreement.previous_id
        and not db.exec(select(Agreement.id).where(Agreement.previous_id == agreement.id)).first()
    ):
        return []
    entries = []
    for version in history_of(db, agreement):
        status = effective_status(version)
        if for_partner and status == S.DRAFT:
            continue
        entries.append(
            TimelineEntry(version, version.change_kind, status, version.id == agreement.id)
        )
    return entries


def follow_ups_for(agreement: Agreement) -> list[str]:
    """Which of renewal and amendment staff may draft from this agreement now."""
    status = effective_status(agreement)
    return [kind for kind, statuses in MAY_FOLLOW.items() if status in statuses]


def _shifted_dates(original: Agreement, kind: str) -> dict[str, date | None]:
    if kind != ChangeKind.RENEWAL or original.expires_on is None:
        return {"effective_on": original.effective_on, "expires_on": original.expires_on}
    # A renewal starts the day after the original ends and runs as long as it did.
    start = original.expires_on + timedelta(days=1)
    length = (
        original.expires_on - original.effective_on if original.effective_on else timedelta(365)
    )
    return {"effective_on": start, "expires_on": start + length}


def derive_agreement(db: Session, original: Agreement, kind: str) -> Agreement:
    """Draft a renewal or an amendment of `original`: its terms and technologies, a new reference."""
    if kind not in MAY_FOLLOW:
        raise ServiceError(_("Choose a renewal or an amendment."))
    status = effective_status(original)
    if status not in MAY_FOLLOW[kind]:
        raise ServiceError(
            _(
                "No %(kind)s can be drafted from an agreement that is %(status)s.",
                status=status_in_words(status),
                kind=ChangeKind.label_of(kind).lower(),
            )
        )
    root = root_of(db, original)
    prefix = f"{root.reference[:34]}-{SUFFIX[kind]}"
    taken = set(
        db.exec(select(Agreement.reference).where(Agreement.reference.like(prefix + "%"))).all()
    )
    number = next(n for n in range(1, 1000) if f"{prefix}{n}" not in taken)
    fields = {name: getattr(original, name) for name in AGREEMENT_EDITABLE}
    fields.update(_shifted_dates(original, kind), signed_on=None, is_announced=False)
    draft = create_agreement(
        db,
        technology_ids=technology_ids_of(db, original),
        reference=f"{prefix}{number}",
        **fields,
    )
    draft.previous_id = original.id
    draft.change_kind = kind
    return add_audited(
        db,
        draft,
        f"agreement.{kind}_drafted",
        changes={"previous_id": original.id, "previous_reference": original.reference},
    )
