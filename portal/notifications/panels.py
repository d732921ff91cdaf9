"""The notification list other domains' pages include (/me and /admin)."""

from __future__ import annotations

from flask_login import current_user

from portal import db
from portal.notifications.queries import Inbox, inbox_of


def my_notifications() -> Inbox:
    """Reads the database: the signed-in user's newest notifications and unread count."""
    return inbox_of(db.session(), current_user.id)
