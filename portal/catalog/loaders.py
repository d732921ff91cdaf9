"""The catalog's object loaders: the record a route asks for, or 404 (never 403)."""

from __future__ import annotations

import re
from typing import Any

from flask import abort
from sqlmodel import Session, select

from portal import db
from portal.catalog.models import Inquiry, Technology
from portal.fields import SLUG_PATTERN

MAX_SLUG_LENGTH = 120
_SLUG = re.compile(SLUG_PATTERN)


def technology_by_slug(session: Session, slug: str) -> Technology | None:
    """The technology with this slug (any state), or None; odd slugs never reach the database."""
    if len(slug) > MAX_SLUG_LENGTH or not _SLUG.match(slug):
        return None
    return session.exec(select(Technology).where(Technology.slug == slug)).first()


def get_technology_or_404(slug: str, for_user: Any) -> Technology:
    """A technology page's record: unpublished or archived ones are 404 except for staff."""
    technology = technology_by_slug(db.session(), slug)
    if technology is None:
        abort(404)
    if not technology.is_public and not getattr(for_user, "is_staff", False):
        abort(404)
    return technology


def get_technology_by_id_or_404(tech_id: int) -> Technology:
    """Any technology by id (staff pages only), else 404."""
    technology = db.session().get(Technology, tech_id)
    if technology is None:
        abort(404)
    return technology


def get_inquiry_or_404(inquiry_id: int) -> Inquiry:
    """An inquiry by id (staff pages only), else 404."""
    inquiry = db.session().get(Inquiry, inquiry_id)
    if inquiry is None:
        abort(404)
    return inquiry
