"""The daily digest: one mail per user with every notification not mailed yet (digest users, and
immediate mail that could not be delivered)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session, select

from portal.accounts.models import User
from portal.dates import local_today
from portal.db import utcnow
from portal.mail import send_mail
from portal.notifications.models import Notification, NotificationPreference
from portal.notifications.services import render_mail


def send_digests(db: Session, today: date | None = None) -> int:
    """Mail each user their unmailed notifications in one message; returns the mails sent."""
    today = today or local_today()
    rows = db.exec(
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(Notification.mailed_at.is_(None), User.is_active)
        .order_by(Notification.user_id, Notification.created_at, Notification.id)
    ).all()
    by_user: dict[int, list[Notification]] = defaultdict(list)
    people: dict[int, User] = {}
    for notification, user in rows:
        by_user[user.id].append(notification)
        people[user.id] = user
    preferences = {
        p.user_id: p
        for p in db.exec(
            select(NotificationPreference).where(NotificationPreference.user_id.in_(people))
        ).all()
    }
    sent = 0
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        for user_id, items in by_user.items():
            preference = preferences.get(user_id)
            if preference is not None and preference.digest_sent_on == today:
                continue  # one digest a day, however often the job runs
            subject = (
                items[0].subject
                if len(items) == 1
                else _("%(count)s notifications from the portal", count=len(items))
            )
            if not send_mail(people[user_id].email, subject, render_mail(items)):
                continue
            now = utcnow()
            for notification in items:
                notification.mailed_at = now
                db.add(notification)
            if preference is not None:
                preference.digest_sent_on = today
                db.add(preference)
            sent += 1
    db.flush()
    return sent
