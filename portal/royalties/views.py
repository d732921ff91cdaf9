"""Royalty pages: the licensee files a report; staff record payments, list and export them."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import db
from portal.agreements.loaders import get_agreement_or_404
from portal.agreements.models import Agreement
from portal.csvsafe import csv_cell
from portal.dates import local_today, parse_iso_date
from portal.editing import act
from portal.modelforms import form_values
from portal.royalties import bp, services
from portal.royalties.forms import RoyaltyPaymentForm
from portal.royalties.models import RoyaltyReport
from portal.royalties.panels import report_form
from portal.royalties.queries import all_periods, periods_of

STATES = ("overdue", "due", "unpaid", "part_paid", "paid")


def _agreement_page(agreement: Agreement) -> str:
    endpoint = "agreements.admin_detail" if current_user.is_staff else "agreements.detail"
    return url_for(endpoint, agreement_id=agreement.id) + "#royalties"


@bp.post("/agreements/<int:agreement_id>/royalty-reports")
def file_report(agreement_id: int):
    """The licensee (or staff on its behalf) files the report of an ended period."""
    agreement = get_agreement_or_404(agreement_id, current_user)
    form = report_form(periods_of(db.session(), agreement, local_today()), request.form)
    if not form.validate_on_submit():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        flash(_("Report not filed: %(errors)s", errors=errors), "error")
        return redirect(_agreement_page(agreement))
    values = form_values(form)
    return act(
        lambda: services.file_report(
            db.session(),
            agreement,
            parse_iso_date(form.period_start.data),
            units_sold=values["units_sold"],
            net_sales_inr=values["net_sales_inr"],
            note=values.get("note") or "",
            actor=current_user,
        ),
        done=lambda report: _(
            "Report filed. Amount due: ₹%(amount)s.", amount=f"{report.amount_due_inr:,.2f}"
        ),
        back=_agreement_page(agreement),
    )


@bp.post("/admin/royalty-reports/<int:report_id>/payments")
def admin_payment(report_id: int):
    """Record a payment received against a report."""
    report = db.session().get(RoyaltyReport, report_id)
    if report is None:
        abort(404)
    agreement = get_agreement_or_404(report.agreement_id, current_user)
    form = RoyaltyPaymentForm()
    if not form.validate_on_submit():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        flash(_("Payment not recorded: %(errors)s", errors=errors), "error")
        return redirect(_agreement_page(agreement))
    return act(
        lambda: services.record_payment(
            db.session(), report, **form_values(form), actor=current_user
        ),
        done=_("Payment recorded."),
        back=_agreement_page(agreement),
    )


@bp.get("/admin/royalties")
def admin_index():
    """Every licence's ended periods: overdue reports first, then what is unpaid."""
    state = request.args.get("state", "")
    rows = all_periods(db.session(), local_today())
    if state in STATES:
        rows = [(a, row) for a, row in rows if row.state == state]
    rows.sort(key=lambda pair: (STATES.index(pair[1].state), pair[1].period.due_on))
    return render_template("royalties/admin_index.html", rows=rows, state=state, states=STATES)


CSV_COLUMNS = (
    "agreement",
    "period_start",
    "period_end",
    "due_on",
    "state",
    "units_sold",
    "net_sales_inr",
    "rate_pct",
    "royalty_inr",
    "minimum_topup_inr",
    "amount_due_inr",
    "paid_inr",
    "balance_inr",
)


@bp.get("/admin/royalties.csv")
def admin_export():
    """Every period as CSV, safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for agreement, row in all_periods(db.session(), local_today()):
        report = row.report
        writer.writerow(
            csv_cell(value)
            for value in (
                agreement.reference,
                row.period.start.isoformat(),
                row.period.end.isoformat(),
                row.period.due_on.isoformat(),
                row.state,
                report.units_sold if report else "",
                report.net_sales_inr if report else "",
                report.rate_pct if report else "",
                report.royalty_inr if report else "",
                report.minimum_topup_inr if report else "",
                report.amount_due_inr if report else "",
                row.paid_inr if report else "",
                row.balance_inr if report else "",
            )
        )
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="royalties.csv"'},
    )
