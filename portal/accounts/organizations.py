"""Organisations: registering one and editing its details (flushes, never commits)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlmodel import Session

from portal.accounts.models import Organization, OrganizationFields
from portal.accounts.queries import organization_by_slug
from portal.changes import add_audited, apply_changes
from portal.errors import ServiceError
from portal.fields import SLUG_PATTERN, field_names

SLUG = re.compile(SLUG_PATTERN)
# What a creator may set: every declared field. The short name is in every link, so an edit
# leaves it as it is.
FIELDS = frozenset(field_names(OrganizationFields))
EDITABLE = FIELDS - {"slug"}


def create_organization(db: Session, *, is_demo: bool = False, **fields: Any) -> Organization:
    """Create an organisation from its declared fields; the slug must be unique and URL-safe."""
    values = {name: value for name, value in fields.items() if name in FIELDS}
    slug = values.get("slug", "")
    if not SLUG.match(slug):
        raise ServiceError(_("The short name may use lower-case letters, digits and hyphens only."))
    if organization_by_slug(db, slug):
        raise ServiceError(
            _("An organisation with the short name “%(slug)s” already exists.", slug=slug)
        )
    organization = Organization(**values, is_demo=is_demo)
    return add_audited(db, organization, "organization.created", changes=values)


def update_organization(
    db: Session, organization: Organization, changes: Mapping[str, Any]
) -> Organization:
    """Change an organisation's details (never its slug), audited with before and after."""
    # Organisations carry no version column yet, so there is no stale copy to refuse.
    apply_changes(
        db, organization, changes, allowed=EDITABLE, version=None, action="organization.updated"
    )
    return organization
