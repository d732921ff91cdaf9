"""Signing in and staying signed in: server-side session records, sign-in outcomes, throttling.

Writes flush but never commit; the request commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlmodel import Session, select

from portal import passwords
from portal.accounts import totp
from portal.accounts.models import LoginThrottle, User, UserSession, normalise_email
from portal.accounts.queries import user_by_email
from portal.accounts.tokens import digest, new_secret
from portal.audit.services import record
from portal.db import utcnow

# Refreshing the idle clock at most this often keeps page views free of writes.
LAST_SEEN_PRECISION = timedelta(minutes=1)


# --- session records ---------------------------------------------------------------------------


def begin_session(db: Session, user: User, *, ip: str = "", user_agent: str = "") -> str:
    """Open a server-side session record and return the token for the cookie."""
    token = new_secret()
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
    if now - user_session.last_seen_at > LAST_SEEN_PRECISION:
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


# --- sign-in and throttling --------------------------------------------------------------------


@dataclass(frozen=True)
class LoginOutcome:
    """The answer to a sign-in step: the user, or nobody, possibly throttled for a while."""

    user: User | None
    throttled: bool = False
    retry_after_s: int = 0


def attempt_login(db: Session, email: str, password: str) -> LoginOutcome:
    """Check credentials with a per-e-mail failure counter; unknown and wrong look the same."""
    key = normalise_email(email)[:254]
    config = current_app.config
    throttle = db.get(LoginThrottle, key)
    if locked := _still_locked(throttle):
        return locked

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


def attempt_second_factor(db: Session, user: User, code: str) -> LoginOutcome:
    """Check a TOTP code after the password; failures count toward the same lock as passwords."""
    throttle = db.get(LoginThrottle, user.email)
    if locked := _still_locked(throttle):
        return locked
    if user.is_active and user.totp_secret and accept_totp_code(db, user, user.totp_secret, code):
        if throttle:
            db.delete(throttle)
        return LoginOutcome(user)
    return _count_failure(db, user.email, throttle)


def accept_totp_code(db: Session, user: User, secret: str, code: str) -> bool:
    """Whether ``code`` is right for ``secret`` now and unused; a code works once."""
    step = totp.matching_step(secret, code)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    db.add(user)
    return True


def _still_locked(throttle: LoginThrottle | None) -> LoginOutcome | None:
    """A throttled outcome while the e-mail's lock lasts, else None."""
    now = utcnow()
    if throttle and throttle.locked_until and throttle.locked_until > now:
        return LoginOutcome(
            None, throttled=True, retry_after_s=_seconds(throttle.locked_until - now)
        )
    return None


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


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds()))
