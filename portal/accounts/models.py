"""Organisations, users, their server-side sessions, invitations, API tokens and login throttles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, String
from sqlmodel import Field, SQLModel

from portal.db import utcnow


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    PARTNER = "partner"


class OrgKind(StrEnum):
    STARTUP = "startup"
    COMPANY = "company"
    ASSOCIATION = "association"
    ACADEMIC = "academic"
    GOVERNMENT = "government"


class Organization(SQLModel, table=True):
    __tablename__ = "organization"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('startup', 'company', 'association', 'academic', 'government')",
            name="kind_valid",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=80, unique=True)
    kind: str = Field(default=OrgKind.COMPANY, max_length=20)
    city: str = Field(default="", max_length=100)
    state: str = Field(default="", max_length=100)
    website: str = Field(default="", max_length=300)
    description: str = Field(default="")
    is_public: bool = Field(default=True)
    is_demo: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)


class User(SQLModel, table=True):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'staff', 'partner')", name="role_valid"),
        CheckConstraint(
            "role <> 'partner' OR organization_id IS NOT NULL", name="partner_has_organization"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive on every backend.
    email: str = Field(sa_column=Column(String(254), unique=True, nullable=False))
    name: str = Field(max_length=200)
    role: str = Field(max_length=10)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    is_active: bool = Field(default=True)
    password_hash: str | None = Field(default=None, max_length=255)
    totp_secret: str | None = Field(default=None, max_length=64)
    # The last 30-second step a code was accepted for, so a code cannot be replayed.
    totp_last_step: int | None = None
    is_demo: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
    password_changed_at: datetime | None = None

    # Flask-Login protocol; `is_active` is the column above.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_staff(self) -> bool:
        """Staff and admins run the CoE side of the portal."""
        return self.role in (Role.STAFF, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_partner(self) -> bool:
        return self.role == Role.PARTNER


class UserSession(SQLModel, table=True):
    """A login: the cookie holds the token, the database holds its hash and whether it still counts."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    ip: str = Field(default="", max_length=45)
    user_agent: str = Field(default="", max_length=200)


class Invitation(SQLModel, table=True):
    """A single-use, expiring link to set a password."""

    __tablename__ = "invitation"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class ApiToken(SQLModel, table=True):
    """A personal API token, shown once and stored hashed."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=12)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class LoginThrottle(SQLModel, table=True):
    """Failed logins per e-mail, known or not, so throttling holds across workers and leaks nothing."""

    __tablename__ = "login_throttle"

    email: str = Field(primary_key=True, max_length=254)
    failures: int = Field(default=0)
    window_started_at: datetime = Field(default_factory=utcnow)
    locked_until: datetime | None = None
