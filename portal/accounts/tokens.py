"""Secrets handed out once and kept only as a hash: personal API tokens, and the rule they share
with session cookies and invitation links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlmodel import Session, select

from portal.accounts.models import ApiToken, User
from portal.audit.services import record
from portal.db import utcnow

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


def create_api_token(db: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; the raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + new_secret()
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
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > MAX_TOKEN_LENGTH:
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
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        token.last_used_at = now
        db.add(token)
    return user
