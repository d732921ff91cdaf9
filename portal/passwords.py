"""argon2id hashing and the password rules (length, not composition; common passwords refused)."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import gettext as _

MIN_LENGTH = 8
MAX_LENGTH = 256
_COMMON_PASSWORDS = Path(__file__).parent / "accounts" / "common-passwords.txt.gz"


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; an absent hash still costs one verification, so timing tells nothing."""
    hasher = _hasher()
    try:
        if stored_hash is None:
            hasher.verify(_dummy_hash(), password + "\0never")
            return False
        return hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    try:
        return _hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@cache
def _dummy_hash_for(params: tuple[int, int, int]) -> str:
    time_cost, memory_cost, parallelism = params
    return PasswordHasher(time_cost, memory_cost, parallelism).hash("dummy password")


def _dummy_hash() -> str:
    config = current_app.config
    return _dummy_hash_for(
        (config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"], config["ARGON2_PARALLELISM"])
    )


@cache
def common_passwords() -> frozenset[str]:
    """The 20,000 most common passwords (Django's list, BSD licence)."""
    with gzip.open(_COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why this password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(n)d characters.", n=MAX_LENGTH)
    lowered = password.lower()
    if lowered in common_passwords():
        return _("This password is too common; choose one that is harder to guess.")
    if email and lowered == email.lower():
        return _("Do not use your e-mail address as your password.")
    return None
