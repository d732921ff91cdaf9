"""Factories that make valid records with unique values; keyword overrides change any field."""

from __future__ import annotations

import itertools

from argon2 import PasswordHasher
from sqlmodel import Session

from portal.accounts.models import Organization, User

_counter = itertools.count(1)

DEFAULT_PASSWORD = "correct horse battery staple"


def unique(prefix: str) -> str:
    """A value no other factory call returns in this run."""
    return f"{prefix}{next(_counter)}"


def make_organization(db: Session, **overrides) -> Organization:
    """An organisation (a startup unless told otherwise)."""
    slug = overrides.pop("slug", unique("org-"))
    organization = Organization(
        **{"name": f"Org {slug}", "slug": slug, "kind": "startup", "city": "Pune", **overrides}
    )
    db.add(organization)
    db.commit()
    return organization


def make_user(
    db: Session,
    role: str = "partner",
    organization: Organization | None = None,
    password: str = DEFAULT_PASSWORD,
    **overrides,
) -> User:
    """A user with a known password; partners get an organisation of their own unless given."""
    if role == "partner" and organization is None:
        organization = make_organization(db)
    user = User(
        **{
            "email": f"{unique(role)}@example.org",
            "name": f"Test {role}",
            "role": role,
            "organization_id": organization.id if organization else None,
            "password_hash": _cheap_hash(password),
            **overrides,
        }
    )
    db.add(user)
    db.commit()
    return user


def _cheap_hash(password: str) -> str:
    # Test-speed argon2id parameters, the same the test app is configured with.
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(password)
