"""Applications by id for a route: staff see every one, a partner only their organisation's (404)."""

from __future__ import annotations

from typing import Any

from flask import abort

from portal import db
from portal.licensing.models import LicenceApplication


def get_application_or_404(application_id: int, for_user: Any) -> LicenceApplication:
    """The application, or 404 when it does not exist or belongs to another organisation."""
    application = db.session().get(LicenceApplication, application_id)
    if application is None:
        abort(404)
    if getattr(for_user, "is_staff", False):
        return application
    if (
        not getattr(for_user, "is_partner", False)
        or application.organization_id is None
        or application.organization_id != for_user.organization_id
    ):
        abort(404)
    return application
