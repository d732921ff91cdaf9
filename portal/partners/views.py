"""The partner's own dashboard."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from portal import db
from portal.accounts.models import Organization
from portal.partners import bp


@bp.get("/me")
def dashboard():
    """What the signed-in partner's organisation has with the CoE."""
    organization = db.session().get(Organization, current_user.organization_id)
    return render_template("partners/dashboard.html", organization=organization)
