"""The user's notifications page: the full list, "mark all as read" and the mail preference."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import db
from portal.notifications import bp
from portal.notifications.queries import inbox_of
from portal.notifications.services import delivery_of, mark_all_read, set_delivery
from portal.vocabulary import Delivery


@bp.get("/notifications")
def index():
    """Every notification of the signed-in user, newest first, and how they are mailed."""
    session = db.session()
    return render_template(
        "notifications/index.html",
        inbox=inbox_of(session, current_user.id, limit=None),
        delivery=delivery_of(session, current_user.id),
        deliveries=Delivery.choices(),
    )


@bp.post("/notifications/read")
def mark_read():
    """Mark every notification as read."""
    count = mark_all_read(db.session(), current_user)
    flash(_("%(count)s notification(s) marked as read.", count=count), "success")
    return redirect(url_for("notifications.index"), code=303)


@bp.post("/notifications/preference")
def preference():
    """Choose immediate mail or a daily digest."""
    set_delivery(db.session(), current_user, request.form.get("delivery", ""))
    flash(_("Your notification preference is saved."), "success")
    return redirect(url_for("notifications.index"), code=303)
