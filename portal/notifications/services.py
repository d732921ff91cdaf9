"""THE entry point `notify(...)`: one notification per (user, key), mailed now or in the daily
digest by the user's preference; plus reading, preferences and who hears what (flushes, never
commits). Immediate mail leaves only after the transaction commits, so a refused change mails nobody.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import event, or_, update
from sqlmodel import Session, select

from portal.accounts.models import User
from portal.db import utcnow
from portal.errors import ServiceError
from portal.mail import send_mail
from portal.notifications.models import Notification, NotificationPreference
from portal.vocabulary import Delivery

log = logging.getLogger("portal.notifications")
OUTBOX = "notification_outbox"
MAIL_TEMPLATE = "notifications/mail.txt"


def delivery_of(db: Session, user_id: int) -> str:
    """The user's chosen delivery (immediate when never chosen)."""
    preference = db.get(NotificationPreference, user_id)
    return preference.delivery if preference else Delivery.IMMEDIATE


def link_of(notification: Notification) -> str:
    """The absolute link a notification points at ('' when it has none)."""
    if not notification.link_endpoint:
        return ""
    return current_app.url_for(
        notification.link_endpoint, _external=True, **(notification.link_args or {})
    )


def notify(
    db: Session,
    users: Iterable[User],
    *,
    key: str,
    kind: str,
    subject: str,
    body: str = "",
    link: tuple[str, dict[str, Any]] | None = None,
) -> list[Notification]:
    """Tell each active user once per `key`; immediate mail goes out after commit."""
    endpoint, args = link or ("", {})
    people = {u.id: u for u in users if u is not None and u.is_active}
    if not people:
        return []
    known = set(
        db.exec(
            select(Notification.user_id).where(
                Notification.key == key, Notification.user_id.in_(people)
            )
        ).all()
    )
    made = []
    for user_id, user in sorted(people.items()):
        if user_id in known:
            continue
        notification = Notification(
            user_id=user_id,
            key=key[:120],
            kind=kind,
            subject=subject[:250],
            body=body,
            link_endpoint=endpoint,
            link_args=args,
        )
        immediate = delivery_of(db, user_id) == Delivery.IMMEDIATE
        if immediate:
            notification.mailed_at = utcnow()
        db.add(notification)
        db.flush()
        if immediate:
            db.info.setdefault(OUTBOX, []).append((notification.id, user.email))
        made.append(notification)
    return made


def render_mail(notifications: list[Notification]) -> str:
    """The plain-text body for one notification or a digest of several."""
    template = current_app.jinja_env.get_template(MAIL_TEMPLATE)
    return template.render(items=[(n, link_of(n)) for n in notifications])


@event.listens_for(Session, "after_commit")
def _send_outbox(session: Session) -> None:
    """Mail the notifications a commit made; one that fails is left for the next daily run."""
    outbox = session.info.pop(OUTBOX, None)
    if not outbox:
        return
    engine = session.get_bind()
    failed = []
    with Session(engine) as reader:
        for notification_id, address in outbox:
            notification = reader.get(Notification, notification_id)
            if notification is None:
                continue
            # Outside the app (a bare script) there is no mail setup: the daily run sends it.
            if not has_app_context() or not send_mail(
                address, notification.subject, render_mail([notification])
            ):
                failed.append(notification_id)
        if failed:
            reader.exec(
                update(Notification).where(Notification.id.in_(failed)).values(mailed_at=None)
            )
            reader.commit()
            log.warning("%d notification mail(s) left for the next run", len(failed))


@event.listens_for(Session, "after_rollback")
def _drop_outbox(session: Session) -> None:
    session.info.pop(OUTBOX, None)


def set_delivery(db: Session, user: User, delivery: str) -> NotificationPreference:
    """Choose immediate mail or a daily digest."""
    if delivery not in Delivery.values():
        raise ServiceError(_("Choose how you want to be told."))
    preference = db.get(NotificationPreference, user.id) or NotificationPreference(user_id=user.id)
    preference.delivery = delivery
    db.add(preference)
    db.flush()
    return preference


def mark_all_read(db: Session, user: User) -> int:
    """Mark every unread notification of `user` as read; returns how many."""
    result = db.exec(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0


# --- who hears what -----------------------------------------------------------------------------


def partner_users(db: Session, organization_id: int) -> list[User]:
    """The active partner users of an organisation."""
    return list(
        db.exec(
            select(User).where(
                User.is_active, User.role == "partner", User.organization_id == organization_id
            )
        ).all()
    )


def staff_for(db: Session, responsible_staff_id: int | None) -> list[User]:
    """The responsible staff member, or every active staff member and admin when none is set."""
    if responsible_staff_id:
        person = db.get(User, responsible_staff_id)
        if person is not None and person.is_active and person.is_staff:
            return [person]
    return list(
        db.exec(
            select(User).where(User.is_active, or_(User.role == "staff", User.role == "admin"))
        ).all()
    )
