"""Every write about patents (flushes, never commits), audited like every other record."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session

from portal.changes import add_audited, apply_changes, delete_audited, snapshot
from portal.db import taken
from portal.errors import ServiceError
from portal.patents.models import Patent, PatentFields

EDITABLE = frozenset(PatentFields.model_fields)


def _check(db: Session, values: dict, patent_id: int | None = None) -> None:
    """Dates in order, a grant number for a granted patent, one record per application."""
    filed: date | None = values.get("filing_date")
    for name, label in (("publication_date", _("published")), ("grant_date", _("granted"))):
        later = values.get(name)
        if filed and later and later < filed:
            raise ServiceError(_("It cannot be %(what)s before it was filed.", what=label))
    if values.get("status") == "granted" and not values.get("grant_number"):
        raise ServiceError(_("A granted patent needs its grant number."))
    if taken(
        db,
        Patent,
        jurisdiction=values.get("jurisdiction"),
        application_number=values.get("application_number"),
        but=patent_id,
    ):
        raise ServiceError(_("That application is already recorded."))


def add_patent(db: Session, technology, values: dict) -> Patent:
    """Record a patent or application for a technology."""
    values = {name: value for name, value in values.items() if name in EDITABLE}
    _check(db, values)
    patent = Patent(technology_id=technology.id, **values)
    return add_audited(
        db, patent, "patent.created", changes=lambda patent: snapshot(patent, EDITABLE)
    )


def update_patent(db: Session, patent: Patent, changes: dict, *, version) -> Patent:
    """Save an edit from the version the form showed (a stale form is a conflict)."""
    merged = {name: getattr(patent, name) for name in EDITABLE} | {
        name: value for name, value in changes.items() if name in EDITABLE
    }
    _check(db, merged, patent.id)
    apply_changes(db, patent, changes, allowed=EDITABLE, version=version, action="patent.updated")
    return patent


def delete_patent(db: Session, patent: Patent) -> None:
    """Remove a patent record (the audit keeps what it said)."""
    delete_audited(db, patent, "patent.deleted", changes=snapshot(patent, EDITABLE))
