"""What the accounts pages and services read: users, organisations and sessions (no writes)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, cast
from sqlalchemy.sql import Select
from sqlmodel import Session, func, or_, select

from portal.accounts.models import LoginThrottle, Organization, User, UserSession, normalise_email
from portal.ratelimit import RateCounter
from portal.textmatch import contains
from portal.vocabulary import Role

USER_STATUSES = ("active", "inactive")


def user_by_email(db: Session, email: str) -> User | None:
    """The user with this e-mail, whatever its case."""
    return db.exec(select(User).where(User.email == normalise_email(email))).first()


def organization_by_slug(db: Session, slug: str) -> Organization | None:
    """The organisation with this short name, or None."""
    return db.exec(select(Organization).where(Organization.slug == slug)).first()


def organizations_query(name_contains: str = "") -> Select:
    """Organisations by name, each with its number of users; optionally those whose name matches."""
    user_counts = (
        select(User.organization_id, func.count(User.id).label("users"))
        .group_by(User.organization_id)
        .subquery()
    )
    query = (
        select(Organization, func.coalesce(user_counts.c.users, 0))
        .outerjoin(user_counts, user_counts.c.organization_id == Organization.id)
        .order_by(Organization.name)
    )
    if name_contains:
        query = query.where(contains(name_contains, Organization.name))
    return query


def users_query(role: str = "", status: str = "") -> Select:
    """Every user with their organisation, by role and e-mail; unknown filter values are ignored."""
    query = (
        select(User, Organization)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .order_by(User.role, User.email)
    )
    if role in Role.values():
        query = query.where(User.role == role)
    if status in USER_STATUSES:
        query = query.where(User.is_active == (status == "active"))
    return query


def organization_users(db: Session, organization: Organization) -> list[User]:
    """The users of an organisation, by name."""
    return list(
        db.exec(
            select(User).where(User.organization_id == organization.id).order_by(User.name)
        ).all()
    )


def open_sessions(db: Session, user: User) -> list[UserSession]:
    """A user's sessions that still count, newest first."""
    return list(
        db.exec(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
            .order_by(UserSession.created_at.desc())
        ).all()
    )


def locked_users(
    db: Session, now: datetime, *, max_failures: int, lock_window: timedelta, code_bucket: str
) -> list[User]:
    """Users whose sign-in is locked right now: by wrong passwords for their e-mail, or by wrong
    second-factor codes (the counter in `code_bucket`)."""
    password_locked = select(LoginThrottle.email).where(LoginThrottle.locked_until > now)
    code_locked = select(RateCounter.subject).where(
        RateCounter.bucket == code_bucket,
        RateCounter.hits >= max_failures,
        RateCounter.window_started_at >= now - lock_window,
    )
    return list(
        db.exec(
            select(User)
            .where(or_(User.email.in_(password_locked), cast(User.id, String).in_(code_locked)))
            .order_by(User.email)
        ).all()
    )
