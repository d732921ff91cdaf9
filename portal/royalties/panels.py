"""The royalty panel on an agreement page (partner and staff), registered as a template global."""

from __future__ import annotations

from flask import g

from portal import db
from portal.dates import local_today
from portal.formatting import format_date
from portal.royalties import schedule
from portal.royalties.forms import RoyaltyPaymentForm, RoyaltyReportForm
from portal.royalties.queries import periods_of


def report_form(rows, formdata=None) -> RoyaltyReportForm:
    """The filing form offering the ended periods that have no report yet."""
    form = RoyaltyReportForm(formdata=formdata)
    form.period_start.choices = [
        (
            row.period.start.isoformat(),
            f"{format_date(row.period.start)} – {format_date(row.period.end)}",
        )
        for row in reversed(rows)
        if row.report is None
    ]
    return form


def royalty_panel(agreement) -> dict | None:
    """Reads the database: the licence's periods, reports and payments, or None if it owes none."""
    if not schedule.owes_reports(agreement):
        return None
    rows = periods_of(db.session(), agreement, local_today())
    form = g.pop("royalty_report_form", None) or report_form(rows)
    return {
        "rows": rows,
        "report_form": form,
        "payment_form": RoyaltyPaymentForm(formdata=None),
        "due_days": schedule.REPORT_DUE_DAYS,
    }
