"""The audit trail page for staff, filterable by actor, action and date."""

from __future__ import annotations

from flask import render_template, request

from portal import db
from portal.audit import bp
from portal.audit.queries import AuditFilters, audit_query, known_actions
from portal.pagination import paginate


@bp.get("")
def index():
    """Newest entries first; filters combine."""
    filters = AuditFilters.from_args(request.args)
    page = paginate(db.session(), audit_query(filters), request.args.get("page"), per_page=50)
    return render_template(
        "audit/index.html", page=page, actions=known_actions(db.session()), filters=filters
    )
