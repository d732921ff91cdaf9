"""Saved-search alert pages: subscribe from the catalog, confirm from the mail, unsubscribe."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from portal import db
from portal.alerts import bp, services
from portal.alerts.forms import AlertForm
from portal.audit.services import client_ip
from portal.errors import ServiceError


@bp.post("/alerts")
def subscribe():
    """Follow the catalog address the form came from; a confirmation link is mailed."""
    form = AlertForm()
    query = services.canonical_query(MultiDict(parse_qsl(form.query.data or "")))
    back = url_for("catalog.index") + ("?" + query if query else "")
    if not form.validate_on_submit():
        flash(_("Enter an e-mail address like name@company.in to get alerts."), "error")
        return redirect(back + "#alert")
    try:
        services.subscribe(
            db.session(), form.email.data, MultiDict(parse_qsl(query)), client=client_ip()
        )
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(back + "#alert")
    return redirect(url_for("alerts.sent"), code=303)


@bp.get("/alerts/sent")
def sent():
    """Check your mailbox (the same page whatever the address)."""
    return render_template("alerts/sent.html")


@bp.route("/alerts/confirm/<secret>", methods=["GET", "POST"])
def confirm(secret: str):
    """A mailed link opens a page with one button (mail scanners follow links; they do not
    press buttons); pressing it starts the weekly mails."""
    alert = services.alert_for(db.session(), secret)
    if alert is None:
        return render_template("alerts/unknown.html"), 404
    if request.method == "POST":
        services.confirm(db.session(), alert)
        return render_template("alerts/confirmed.html", alert=alert)
    return render_template("alerts/confirm.html", alert=alert, secret=secret)


@bp.get("/alerts/unsubscribe/<secret>")
def unsubscribe(secret: str):
    """One click from the mail: the alert is forgotten at once."""
    alert = services.alert_for(db.session(), secret)
    if alert is not None:
        services.unsubscribe(db.session(), alert)
    return render_template("alerts/unsubscribed.html")
