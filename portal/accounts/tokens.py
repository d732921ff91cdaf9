"""Secrets handed out once and kept only as a hash: personal API tokens, and the rules they share
with session cookies, invitation links and calendar feeds."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session, select

from portal.accounts.models import TOKEN_MAX_DAYS, ApiToken, User, default_token_expiry
from portal.audit.services import record
from portal.changes import add_audited
from portal.dates import local_today
from portal.db import utcnow
from portal.errors import ServiceError
from portal.vocabulary import TokenScope

TOKEN_PREFIX = "btp_"
MAX_TOKEN_LENGTH = 200
# Recording every use would turn each API call into a write; once in a while is enough.
LAST_USED_PRECISION = timedelta(minutes=5)


def new_secret() -> str:
    """A fresh random secret for a cookie or a link (URL-safe)."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """SHA-256 of a secret token: only this is stored, so a database leak reveals no token."""
    return hashlib.sha256(token.encode()).hexdigest()


def open_record_of(db: Session, model, secret: str, closed_at) -> tuple[Any, User] | None:
    """The record (session, API token) stored for ``secret`` and not closed yet, with its user."""
    return db.exec(
        select(model, User)
        .join(User, User.id == model.user_id)
        .where(model.token_hash == digest(secret), closed_at.is_(None))
    ).first()


def close_open_records(db: Session, model, user: User, closed: str) -> list[Any]:
    """Stamp ``closed`` (``ended_at``, ``revoked_at``) with now on each of ``user``'s open records."""
    column = getattr(model, closed)
    rows = db.exec(select(model).where(model.user_id == user.id, column.is_(None))).all()
    now = utcnow()
    for row in rows:
        setattr(row, closed, now)
        db.add(row)
    return list(rows)


def may_authenticate(user: User | None) -> bool:
    """Whether any credential of this user (cookie, token, calendar link) may still be honoured:
    an active account, and never a demo account in production mode."""
    if user is None or not user.is_active:
        return False
    return not (user.is_demo and current_app.config["PORTAL_ENV"] == "production")


def create_api_token(
    db: Session,
    user: User,
    name: str,
    *,
    expires_on: date | None = None,
    scopes: Iterable[str] = (TokenScope.READ,),
) -> tuple[ApiToken, str]:
    """Create a personal API token; the raw value is returned once and never stored."""
    today = local_today()
    expires_on = expires_on or default_token_expiry()
    if not today <= expires_on <= today + timedelta(days=TOKEN_MAX_DAYS):
        raise ServiceError(
            _("A token expires between today and %(days)d days from now.", days=TOKEN_MAX_DAYS)
        )
    chosen = sorted(set(scopes))
    if not chosen or any(scope not in TokenScope.values() for scope in chosen):
        raise ServiceError(_("Choose what the token may do."))
    raw = TOKEN_PREFIX + new_secret()
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:100] or "API token",
        prefix=raw[:12],
        token_hash=digest(raw),
        scopes=" ".join(chosen),
        expires_on=expires_on,
    )
    add_audited(
        db,
        token,
        "api_token.created",
        actor=user,
        label=f"{user.email}: {token.name}",
        changes={"scopes": token.scopes, "expires_on": expires_on},
    )
    return token, raw


def revoke_api_token(db: Session, token: ApiToken) -> None:
    """Revoke a token; the next request with it is refused."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.add(token)
        record(db, "api_token.revoked", token, label=token.name)


def revoke_all_api_tokens(db: Session, user: User, reason: str) -> int:
    """Revoke every live token of a user (password change, sessions ended, deactivation)."""
    tokens = close_open_records(db, ApiToken, user, "revoked_at")
    if tokens:
        record(
            db, "user.api_tokens_revoked", user, changes={"tokens": len(tokens), "reason": reason}
        )
    return len(tokens)


@dataclass(frozen=True)
class TokenUse:
    """Who a bearer token speaks for, and what it may do."""

    user: User
    scopes: frozenset[str]


def use_api_token(db: Session, raw: str) -> TokenUse | None:
    """The user behind a live token (unrevoked, unexpired, its owner may authenticate), or None."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > MAX_TOKEN_LENGTH:
        return None
    row = open_record_of(db, ApiToken, raw, ApiToken.revoked_at)
    if row is None:
        return None
    token, user = row
    if token.is_expired(local_today()) or not may_authenticate(user):
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        token.last_used_at = now
        db.add(token)
    return TokenUse(user, token.scope_set)
