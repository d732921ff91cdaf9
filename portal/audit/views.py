"""The audit trail page for staff, filterable by actor, action and date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import render_template, request
from sqlmodel import select

from portal import db
from portal.audit import bp
from portal.audit.models import AuditEntry
from portal.pagination import paginate


def _parse_date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip()[:10]) if raw else None
    except ValueError:
        return None


@bp.get("")
def index():
    """Newest entries first; filters combine."""
    actor = request.args.get("actor", "").replace("\0", "").strip()[:254]
    action = request.args.get("action", "").replace("\0", "").strip()[:64]
    since = _parse_date(request.args.get("since"))
    until = _parse_date(request.args.get("until"))
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if actor:
        query = query.where(AuditEntry.actor_label.ilike(f"%{actor}%"))
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    if since:
        query = query.where(AuditEntry.created_at >= datetime.combine(since, time.min, UTC))
    if until:
        query = query.where(
            AuditEntry.created_at < datetime.combine(until + timedelta(days=1), time.min, UTC)
        )
    actions = (
        db.session().exec(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
    )
    page = paginate(db.session(), query, request.args.get("page"), per_page=50)
    return render_template(
        "audit/index.html",
        page=page,
        actions=actions,
        filters={"actor": actor, "action": action, "since": since, "until": until},
    )
