"""The staff dashboard at /admin."""

from __future__ import annotations

from flask import render_template
from sqlmodel import func, select

from portal import db
from portal.accounts.models import Organization, User
from portal.admin import bp
from portal.audit.models import AuditEntry


@bp.get("")
def dashboard():
    """Key figures for the CoE's technology-transfer team."""
    session = db.session()
    counts = {
        "organizations": session.exec(select(func.count(Organization.id))).one(),
        "users": session.exec(select(func.count(User.id)).where(User.is_active)).one(),
    }
    recent = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(8)).all()
    return render_template("admin/dashboard.html", counts=counts, recent=recent)
