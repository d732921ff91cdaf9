"""Signing in and staying signed in: server-side session records, sign-in outcomes, throttling,
and re-authentication before a sensitive change.

Writes flush but never commit; the request commits once. Sign-in steps return an outcome rather
than raising, so the failure they count (and its audit entry) is committed with the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlmodel import Session, select

from portal import passwords, ratelimit
from portal.accounts import totp
from portal.accounts.models import LoginThrottle, User, UserSession, normalise_email
from portal.accounts.queries import locked_users, user_by_email
from portal.accounts.tokens import (
    close_open_records,
    digest,
    may_authenticate,
    new_secret,
    open_record_of,
    revoke_all_api_tokens,
)
from portal.audit.services import record
from portal.db import utcnow

# Refreshing the idle clock at most this often keeps page views free of writes.
LAST_SEEN_PRECISION = timedelta(minutes=1)
# Wrong second-factor codes are counted per user in a bucket of their own (see attempt_login).
SECOND_FACTOR_BUCKET = "second-factor"


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
    row = open_record_of(db, UserSession, token, UserSession.ended_at)
    if row is None:
        return None
    user_session, user = row
    now = utcnow()
    config = current_app.config
    idle_limit = timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    absolute_limit = timedelta(hours=config["SESSION_ABSOLUTE_HOURS"])
    if (
        not may_authenticate(user)
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
    ended = close_open_records(db, UserSession, user, "ended_at")
    db.flush()
    return len(ended)


def end_all_access(db: Session, user: User, reason: str) -> int:
    """End every session and revoke every API token and calendar feed of a user (password
    change, an admin's "End sessions", deactivation); returns the sessions ended."""
    # Imported here: partners builds on accounts, not the other way round.
    from portal.partners.services import revoke_calendar_feed

    revoke_all_api_tokens(db, user, reason)
    revoke_calendar_feed(db, user)
    return end_all_sessions(db, user)


def sign_out_everywhere(db: Session, user: User) -> int:
    """An admin ends every session of a user and revokes their API tokens; audited."""
    ended = end_all_access(db, user, "sessions ended by an admin")
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


def attempt_login(
    db: Session, email: str, password: str, *, purpose: str = "sign-in"
) -> LoginOutcome:
    """Check credentials with a per-e-mail failure counter; unknown and wrong look the same.

    The lock that ten failures set never stops a user with a second factor who types the right
    password: they go on to the code step, and the right code gets them in. So nobody can hold
    such an account (an admin's, say) locked by typing wrong passwords for it. Every failure is
    written to the audit log with the e-mail as typed and the reason (`purpose` says where).
    """
    typed = " ".join(str(email or "").split())[:254]
    key = normalise_email(email)[:254]
    throttle = db.get(LoginThrottle, key)
    locked = _still_locked(throttle)
    user = user_by_email(db, key)
    # An unknown e-mail still costs one argon2 verification, so timing tells nothing.
    ok = passwords.verify_password(user.password_hash if user else None, password)
    refusal = _refusal(user, ok)
    if refusal is None and (locked is None or user.totp_secret):
        # With a second factor the counter is cleared only once the code is right too.
        if throttle and locked is None and not user.totp_secret:
            db.delete(throttle)
        if passwords.needs_rehash(user.password_hash):
            user.password_hash = passwords.hash_password(password)
            db.add(user)
        return LoginOutcome(user)
    _audit_failure(db, typed, user, "locked" if locked else refusal, purpose)
    return locked or _count_failure(db, key, throttle)


def _refusal(user: User | None, password_ok: bool) -> str | None:
    """Why these credentials do not sign in (for the audit log), or None when they do."""
    if user is None:
        return "unknown e-mail"
    if not password_ok:
        return "wrong password"
    if not user.is_active:
        return "account deactivated"
    if not may_authenticate(user):
        # Demo accounts exist only for trying the portal out; production never lets them in.
        return "demo account in production"
    return None


def _audit_failure(db: Session, typed: str, user: User | None, reason: str, purpose: str) -> None:
    """A failed sign-in step in the audit log: the e-mail as typed, the reason; no password."""
    record(
        db,
        "user.login_failed",
        user,
        label=typed,
        changes={"email": typed, "reason": reason, "step": purpose},
    )


def attempt_second_factor(
    db: Session, user: User, code: str, *, purpose: str = "sign-in"
) -> LoginOutcome:
    """Check a TOTP code after the password. Wrong codes lock the code step of this user for a
    while (their own counter: only someone who knew the password could have typed them)."""
    config = current_app.config
    window = timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
    limit = config["LOGIN_MAX_FAILURES"]
    subject = str(user.id)
    wait = ratelimit.retry_after(db, SECOND_FACTOR_BUCKET, subject, limit=limit, window=window)
    if wait:
        _audit_failure(db, user.email, user, "second factor locked", purpose)
        return LoginOutcome(None, throttled=True, retry_after_s=wait)
    if (
        may_authenticate(user)
        and user.totp_secret
        and accept_totp_code(db, user, user.totp_secret, code)
    ):
        if throttle := db.get(LoginThrottle, user.email):
            db.delete(throttle)
        ratelimit.clear(db, SECOND_FACTOR_BUCKET, subject)
        return LoginOutcome(user)
    _audit_failure(db, user.email, user, "wrong code", purpose)
    if ratelimit.hit(db, SECOND_FACTOR_BUCKET, subject, window=window) >= limit:
        return LoginOutcome(None, throttled=True, retry_after_s=_seconds(window))
    return LoginOutcome(None)


def confirm_identity(db: Session, user: User, password: str, code: str) -> LoginOutcome:
    """Re-authentication before a sensitive change: the password, and a current code when the
    user has a second factor. Failures count and lock exactly like sign-in failures."""
    outcome = attempt_login(db, user.email, password, purpose="re-authentication")
    if outcome.user is None or outcome.user.id != user.id:
        return LoginOutcome(None, outcome.throttled, outcome.retry_after_s)
    if user.totp_secret:
        return attempt_second_factor(db, user, code, purpose="re-authentication")
    return outcome


def second_factor_locked(db: Session, user: User) -> bool:
    """Whether wrong codes have locked this user's code step right now."""
    config = current_app.config
    return bool(
        ratelimit.retry_after(
            db,
            SECOND_FACTOR_BUCKET,
            str(user.id),
            limit=config["LOGIN_MAX_FAILURES"],
            window=timedelta(minutes=config["LOGIN_LOCK_MINUTES"]),
        )
    )


def locked_accounts(db: Session) -> list[User]:
    """The users whose sign-in is locked right now (for the staff's users page)."""
    config = current_app.config
    return locked_users(
        db,
        utcnow(),
        max_failures=config["LOGIN_MAX_FAILURES"],
        lock_window=timedelta(minutes=config["LOGIN_LOCK_MINUTES"]),
        code_bucket=SECOND_FACTOR_BUCKET,
    )


def unlock(db: Session, user: User) -> bool:
    """Staff lift a user's sign-in lock (password and code counters); audited. False when there
    was no lock to lift."""
    throttle = db.get(LoginThrottle, user.email)
    password_locked = _still_locked(throttle) is not None
    code_locked = second_factor_locked(db, user)
    if throttle is not None:
        db.delete(throttle)
    ratelimit.clear(db, SECOND_FACTOR_BUCKET, str(user.id))
    if password_locked or code_locked:
        record(
            db, "user.unlocked", user, changes={"password": password_locked, "code": code_locked}
        )
    return password_locked or code_locked


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
