"""The audit trail page for staff, filterable by actor, action and date."""

from __future__ import annotations

import csv
import io
import json

from flask import Response, render_template, request, stream_with_context

from portal import db
from portal.audit import bp
from portal.audit.queries import AuditFilters, audit_query, known_actions
from portal.csvsafe import csv_cell
from portal.pagination import paginate

CSV_COLUMNS = (
    "created_at",
    "actor_label",
    "ip",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "changes",
)
CSV_EXPORT_LIMIT = 50_000


@bp.get("")
def index():
    """Newest entries first; filters combine."""
    filters = AuditFilters.from_args(request.args)
    page = paginate(db.session(), audit_query(filters), request.args.get("page"), per_page=50)
    return render_template(
        "audit/index.html", page=page, actions=known_actions(db.session()), filters=filters
    )


@bp.get("/export.csv")
def export_csv():
    """The filtered log as CSV (newest first, up to a limit), safe to open in a spreadsheet."""
    filters = AuditFilters.from_args(request.args)
    session = db.session()
    # Loaded before streaming: the request's session is closed once the response starts.
    entries = list(session.exec(audit_query(filters).limit(CSV_EXPORT_LIMIT)).all())

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        yield buffer.getvalue()
        for entry in entries:
            buffer.seek(0)
            buffer.truncate(0)
            values = {name: getattr(entry, name) for name in CSV_COLUMNS}
            values["created_at"] = entry.created_at.isoformat()
            values["changes"] = json.dumps(entry.changes, ensure_ascii=False, default=str)
            writer.writerow([csv_cell(values[name]) for name in CSV_COLUMNS])
            yield buffer.getvalue()

    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )
