"""The staff dashboard at /admin: key figures of technology transfer, each linking to its list."""

from __future__ import annotations

from flask import render_template

from portal import db
from portal.admin import bp
from portal.admin.queries import people_and_leads, recent_activity
from portal.agreements import figures
from portal.dates import local_today
from portal.licensing.queries import stage_figures
from portal.royalties.queries import overdue_count
from portal.vocabulary import AgreementStatus


@bp.get("")
def dashboard():
    """Key figures for the CoE's technology-transfer team."""
    session = db.session()
    today = local_today()
    return render_template(
        "admin/dashboard.html",
        counts=people_and_leads(session),
        recent=recent_activity(session),
        agreements=figures.agreement_counts(session, today),
        milestones=figures.milestone_figures(session, today),
        chart=figures.milestone_chart(session, today),
        due_soon_days=figures.DUE_SOON_DAYS,
        statuses=AgreementStatus.values(),
        royalty_reports_overdue=overdue_count(session, today),
        application_figures=stage_figures(session),
    )
