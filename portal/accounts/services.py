"""Every write about organisations, users, logins, invitations and API tokens (flushes, never commits)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, has_request_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session, select

from portal import passwords
from portal.accounts import totp
from portal.accounts.models import (
    ApiToken,
    Invitation,
    LoginThrottle,
    Organization,
    Role,
    User,
    UserSession,
)
from portal.audit.services import diff, record
from portal.db import utcnow
from portal.errors import ServiceError

TOKEN_PREFIX = "btp_"
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def digest(token: str) -> str:
    """SHA-256 of a secret token: only this is stored, so a database leak reveals no token."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    """E-mail addresses compare case-insensitively."""
    return email.strip().lower()


def user_by_email(db: Session, email: str) -> User | None:
    """The user with this e-mail, whatever its case."""
    return db.exec(select(User).where(User.email == normalise_email(email))).first()


# --- organisations ---------------------------------------------------------------------------


def create_organization(db: Session, **fields) -> Organization:
    """Create an organisation; the slug must be unique and URL-safe."""
    slug = fields.get("slug", "")
    if not SLUG_PATTERN.match(slug):
        raise ServiceError(_("The short name may use lower-case letters, digits and hyphens only."))
    if db.exec(select(Organization).where(Organization.slug == slug)).first():
        raise ServiceError(
            _("An organisation with the short name “%(slug)s” already exists.", slug=slug)
        )
    organization = Organization(**fields)
    db.add(organization)
    db.flush()
    record(db, "organization.created", organization, changes=fields)
    return organization


def update_organization(db: Session, organization: Organization, **fields) -> Organization:
    """Change an organisation's details (not its slug)."""
    before = organization.model_dump()
    for key, value in fields.items():
        setattr(organization, key, value)
    db.add(organization)
    db.flush()
    record(db, "organization.updated", organization, changes=_changed(before, organization))
    return organization


def _changed(before: dict, obj) -> dict:
    return diff(before, obj.model_dump())


# --- users -----------------------------------------------------------------------------------


def create_user(
    db: Session,
    *,
    email: str,
    name: str,
    role: str,
    organization_id: int | None = None,
    password: str | None = None,
    is_demo: bool = False,
) -> User:
    """Create a user; partners must belong to an organisation and staff must not."""
    email = normalise_email(email)
    if role not in {r.value for r in Role}:
        raise ServiceError(_("Unknown role."))
    if role == Role.PARTNER and organization_id is None:
        raise ServiceError(_("A partner user must belong to an organisation."))
    if role != Role.PARTNER:
        organization_id = None
    if user_by_email(db, email):
        raise ServiceError(_("A user with this e-mail address already exists."))
    if password is not None and (problem := passwords.password_problem(password, email=email)):
        raise ServiceError(problem)
    user = User(
        email=email,
        name=name.strip() or email,
        role=role,
        organization_id=organization_id,
        password_hash=passwords.hash_password(password) if password else None,
        password_changed_at=utcnow() if password else None,
        is_demo=is_demo,
    )
    db.add(user)
    db.flush()
    record(
        db,
        "user.created",
        user,
        changes={"email": email, "role": role, "organization_id": organization_id},
    )
    return user


def set_active(db: Session, user: User, active: bool) -> User:
    """Deactivate (ending every session at once) or reactivate a user."""
    if user.is_active == active:
        return user
    user.is_active = active
    db.add(user)
    if not active:
        end_all_sessions(db, user)
    record(db, "user.activated" if active else "user.deactivated", user)
    return user


def change_password(db: Session, user: User, current: str, new: str) -> None:
    """Change a password after checking the current one; every other session of the user ends."""
    if not passwords.verify_password(user.password_hash, current):
        raise ServiceError(_("Your current password is not correct."))
    _set_password(db, user, new)
    record(db, "user.password_changed", user)


def _set_password(db: Session, user: User, new: str) -> None:
    if problem := passwords.password_problem(new, email=user.email):
        raise ServiceError(problem)
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = utcnow()
    db.add(user)
    end_all_sessions(db, user)


# --- sessions --------------------------------------------------------------------------------


def begin_session(db: Session, user: User, *, ip: str = "", user_agent: str = "") -> str:
    """Open a server-side session record and return the token for the cookie."""
    token = secrets.token_urlsafe(32)
    db.add(
        UserSession(
            token_hash=digest(token), user_id=user.id, ip=ip[:45], user_agent=user_agent[:200]
        )
    )
    user.last_login_at = utcnow()
    db.add(user)
    db.flush()
    record(db, "user.logged_in", user, actor=user)
    return token


def user_for_session_token(db: Session, token: str) -> User | None:
    """The user of an open, unexpired session record, or None."""
    row = db.exec(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == digest(token), UserSession.ended_at.is_(None))
    ).first()
    if row is None:
        return None
    user_session, user = row
    now = utcnow()
    config = current_app.config
    idle_limit = timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    absolute_limit = timedelta(hours=config["SESSION_ABSOLUTE_HOURS"])
    if (
        not user.is_active
        or now - user_session.last_seen_at > idle_limit
        or now - user_session.created_at > absolute_limit
    ):
        user_session.ended_at = now
        db.add(user_session)
        return None
    # Refreshing the idle clock at most once a minute keeps page views free of writes.
    if now - user_session.last_seen_at > timedelta(minutes=1):
        user_session.last_seen_at = now
        db.add(user_session)
    return user


def end_session(db: Session, token: str) -> None:
    """Close the session record behind a cookie (logout)."""
    user_session = db.exec(
        select(UserSession).where(UserSession.token_hash == digest(token))
    ).first()
    if user_session and user_session.ended_at is None:
        user_session.ended_at = utcnow()
        db.add(user_session)


def end_all_sessions(db: Session, user: User) -> int:
    """Close every open session of a user; a copied cookie stops working at once."""
    open_sessions = db.exec(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).all()
    now = utcnow()
    for user_session in open_sessions:
        user_session.ended_at = now
        db.add(user_session)
    db.flush()
    return len(open_sessions)


def sign_out_everywhere(db: Session, user: User) -> int:
    """An admin ends every session of a user; audited."""
    ended = end_all_sessions(db, user)
    record(db, "user.sessions_ended", user, changes={"sessions": ended})
    return ended


def end_own_session(db: Session, user: User, session_id: int) -> bool:
    """A user ends one of their own sessions; False when it is not theirs."""
    user_session = db.get(UserSession, session_id)
    if user_session is None or user_session.user_id != user.id:
        return False
    if user_session.ended_at is None:
        user_session.ended_at = utcnow()
        db.add(user_session)
    return True


def open_sessions(db: Session, user: User) -> list[UserSession]:
    """A user's sessions that still count, newest first."""
    return list(
        db.exec(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
            .order_by(UserSession.created_at.desc())
        ).all()
    )


# --- login and throttling --------------------------------------------------------------------


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    throttled: bool = False
    retry_after_s: int = 0


def attempt_login(db: Session, email: str, password: str) -> LoginOutcome:
    """Check credentials with a per-e-mail failure counter; unknown and wrong look the same."""
    key = normalise_email(email)[:254]
    config = current_app.config
    now = utcnow()
    throttle = db.get(LoginThrottle, key)
    if throttle and throttle.locked_until and throttle.locked_until > now:
        return LoginOutcome(
            None, throttled=True, retry_after_s=_seconds(throttle.locked_until - now)
        )

    user = user_by_email(db, key)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    # Demo accounts exist only for trying the portal out; production never lets them in.
    demo_refused = user is not None and user.is_demo and config["PORTAL_ENV"] == "production"
    if ok and user is not None and user.is_active and not demo_refused:
        # With a second factor the counter is cleared only once the code is right too.
        if throttle and not user.totp_secret:
            db.delete(throttle)
        if passwords.needs_rehash(user.password_hash):
            user.password_hash = passwords.hash_password(password)
            db.add(user)
        return LoginOutcome(user)
    return _count_failure(db, key, throttle)


def _count_failure(db: Session, key: str, throttle: LoginThrottle | None) -> LoginOutcome:
    """One more failed attempt for this e-mail; locks it at the limit."""
    config = current_app.config
    now = utcnow()
    window = timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
    if throttle is None:
        throttle = LoginThrottle(email=key, failures=0, window_started_at=now)
    elif now - throttle.window_started_at > window:
        throttle.failures, throttle.window_started_at, throttle.locked_until = 0, now, None
    throttle.failures += 1
    if throttle.failures >= config["LOGIN_MAX_FAILURES"]:
        throttle.locked_until = now + window
    db.add(throttle)
    if throttle.locked_until:
        return LoginOutcome(None, throttled=True, retry_after_s=_seconds(window))
    return LoginOutcome(None)


def attempt_second_factor(db: Session, user: User, code: str) -> LoginOutcome:
    """Check a TOTP code after the password; failures count toward the same lock as passwords."""
    now = utcnow()
    throttle = db.get(LoginThrottle, user.email)
    if throttle and throttle.locked_until and throttle.locked_until > now:
        return LoginOutcome(
            None, throttled=True, retry_after_s=_seconds(throttle.locked_until - now)
        )
    if user.is_active and user.totp_secret and _accept_code(db, user, user.totp_secret, code):
        if throttle:
            db.delete(throttle)
        return LoginOutcome(user)
    return _count_failure(db, user.email, throttle)


def _accept_code(db: Session, user: User, secret: str, code: str) -> bool:
    step = totp.matching_step(secret, code)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False  # wrong, or already used: a code works once
    user.totp_last_step = step
    db.add(user)
    return True


def enable_totp(db: Session, user: User, secret: str, code: str) -> None:
    """Turn on the second factor once the user proves their app shows the right code."""
    if not _accept_code(db, user, secret, code):
        raise ServiceError(
            _("That code does not match. Check the time on your phone and try again.")
        )
    user.totp_secret = secret
    db.add(user)
    record(db, "user.totp_enabled", user)


def disable_totp(db: Session, user: User) -> None:
    """Turn off the second factor (refused for staff when it is required)."""
    if user.is_staff and current_app.config["STAFF_TOTP"] == "required":
        raise ServiceError(_("Staff and admins must keep two-step sign-in on."))
    user.totp_secret = None
    user.totp_last_step = None
    db.add(user)
    record(db, "user.totp_disabled", user)


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds()))


# --- invitations -----------------------------------------------------------------------------


def invite_user(
    db: Session, *, email: str, name: str, role: str, organization_id: int | None
) -> tuple[User, str]:
    """Create a user without a password and a single-use link to set one; returns the raw token."""
    user = create_user(db, email=email, name=name, role=role, organization_id=organization_id)
    token = _issue_invitation(db, user)
    record(db, "user.invited", user, changes={"email": user.email, "role": role})
    return user, token


def reissue_invitation(db: Session, user: User) -> str:
    """A fresh set-password link for a user; earlier links stop working."""
    for invitation in db.exec(
        select(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
    ).all():
        invitation.used_at = utcnow()
        db.add(invitation)
    token = _issue_invitation(db, user)
    record(db, "user.reinvited", user)
    return token


def _issue_invitation(db: Session, user: User) -> str:
    token = secrets.token_urlsafe(32)
    days = current_app.config["INVITE_VALID_DAYS"]
    db.add(
        Invitation(
            token_hash=digest(token),
            user_id=user.id,
            created_by_id=_current_user_id(),
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    db.flush()
    return token


def _current_user_id() -> int | None:
    if has_request_context() and current_user.is_authenticated:
        return current_user.id
    return None


def invitation_for_token(db: Session, token: str) -> Invitation | None:
    """The open invitation behind a link, or None when it is unknown, used or expired."""
    invitation = db.exec(select(Invitation).where(Invitation.token_hash == digest(token))).first()
    if invitation is None or invitation.used_at is not None or invitation.expires_at < utcnow():
        return None
    return invitation


def accept_invitation(db: Session, invitation: Invitation, password: str) -> User:
    """Set the password from an invitation link and use the link up."""
    user = db.get(User, invitation.user_id)
    if user is None or not user.is_active:
        raise ServiceError(_("This invitation is no longer valid."))
    _set_password(db, user, password)
    invitation.used_at = utcnow()
    db.add(invitation)
    record(db, "user.invitation_accepted", user, actor=user)
    return user


# --- API tokens ------------------------------------------------------------------------------


def create_api_token(db: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; the raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:100] or "API token",
        prefix=raw[:12],
        token_hash=digest(raw),
    )
    db.add(token)
    db.flush()
    record(db, "api_token.created", token, actor=user, label=f"{user.email}: {token.name}")
    return token, raw


def revoke_api_token(db: Session, token: ApiToken) -> None:
    """Revoke a token; the next request with it is refused."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.add(token)
        record(db, "api_token.revoked", token, label=token.name)


def user_for_api_token(db: Session, raw: str) -> User | None:
    """The active user behind an unrevoked token, or None."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    row = db.exec(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == digest(raw), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None or not row[1].is_active:
        return None
    token, user = row
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
        db.add(token)
    return user
