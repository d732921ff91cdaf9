"""Every write about technologies (flushes, never commits); inquiries live in inquiries.py."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlmodel import Session

from portal.catalog.models import Technology, TechnologyFields
from portal.changes import add_audited, apply_changes, audited_change, snapshot
from portal.db import taken, utcnow
from portal.errors import ServiceError
from portal.fields import SLUG_PATTERN

MAX_SLUG_LENGTH = 120
_SLUG = re.compile(SLUG_PATTERN)
# What staff may set on a technology: its declared fields, and the applications it serves.
EDITABLE = frozenset(TechnologyFields.model_fields) | {"applications"}
# Set by seeding and imports only, never by a form.
CREATE_ONLY = frozenset({"is_published", "is_demo"})


def _applications(technology: Technology) -> dict:
    return {"applications": lambda: technology.applications}


def _check_slug(db: Session, slug: str, technology_id: int | None = None) -> None:
    if not _SLUG.match(slug or "") or len(slug) > MAX_SLUG_LENGTH:
        raise ServiceError(_("The short name may use lower-case letters, digits and hyphens only."))
    if taken(db, Technology, slug=slug, but=technology_id):
        raise ServiceError(
            _("A technology with the short name “%(slug)s” already exists.", slug=slug)
        )


def create_technology(db: Session, **fields) -> Technology:
    """Add a technology (unpublished until staff publish it)."""
    unknown = set(fields) - EDITABLE - CREATE_ONLY
    if unknown:
        raise ServiceError(_("Unknown fields: %(fields)s", fields=", ".join(sorted(unknown))))
    _check_slug(db, fields.get("slug", ""))
    applications = fields.pop("applications", None) or []
    technology = Technology(**fields)
    technology.applications = applications
    if technology.is_published:
        technology.published_at = utcnow()
    return add_audited(
        db,
        technology,
        "technology.created",
        changes=lambda t: snapshot(t, TechnologyFields.model_fields, _applications(t)),
    )


def update_technology(
    db: Session, technology: Technology, changes: dict, *, version: int | None
) -> Technology:
    """Save an edit; a form loaded before someone else's save gets a ConflictError."""
    if "slug" in changes:
        _check_slug(db, changes["slug"], technology.id)
    apply_changes(
        db,
        technology,
        changes,
        allowed=EDITABLE,
        version=version,
        action="technology.updated",
        related=_applications(technology),
    )
    return technology


def _set_state(
    db: Session, technology: Technology, action: str, version: int | None, **flags
) -> Technology:
    with audited_change(
        db, technology, version=version, action=f"technology.{action}", watch=flags
    ):
        for name, value in flags.items():
            setattr(technology, name, value)
        if flags.get("is_published") and technology.published_at is None:
            technology.published_at = utcnow()
    return technology


def publish_technology(db: Session, technology: Technology, version: int | None) -> Technology:
    """Make a technology public (archived ones must be restored first)."""
    if technology.is_archived:
        raise ServiceError(_("Restore this technology from the archive before publishing it."))
    return _set_state(db, technology, "published", version, is_published=True)


def unpublish_technology(db: Session, technology: Technology, version: int | None) -> Technology:
    """Take a technology off the public catalog."""
    return _set_state(db, technology, "unpublished", version, is_published=False)


def archive_technology(db: Session, technology: Technology, version: int | None) -> Technology:
    """Archive a technology: hidden from the public and from the staff's working list."""
    return _set_state(db, technology, "archived", version, is_archived=True, is_published=False)


def restore_technology(db: Session, technology: Technology, version: int | None) -> Technology:
    """Bring an archived technology back as an unpublished draft."""
    return _set_state(db, technology, "restored", version, is_archived=False)
