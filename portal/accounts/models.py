"""Organisations, users, their server-side sessions, invitations, API tokens and login throttles."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, String
from sqlmodel import AutoString, Field, SQLModel

from portal.dates import local_today
from portal.db import utcnow
from portal.fields import EMAIL, TEXTAREA, URL, actor_field, code_field, field, slug_field
from portal.vocabulary import LinkPurpose, OrgKind, Role, TokenScope


def normalise_email(email: str) -> str:
    """E-mail addresses compare case-insensitively, so they are stored lower-cased."""
    return email.strip().lower()


class OrganizationFields(SQLModel):
    """What staff set on an organisation (declared once: the forms and allow-lists read it)."""

    name: str = field(_l("Name"), max_length=200)
    slug: str = slug_field(_l("Used in links, e.g. watthour. Cannot be changed later."))
    kind: str = field(
        _l("Kind"), choices=OrgKind, required=True, default=OrgKind.COMPANY, max_length=20
    )
    city: str = field(_l("City"), default="", max_length=100)
    state: str = field(_l("State"), default="", max_length=100)
    website: str = field(_l("Website"), widget=URL, default="", max_length=300)
    # An unbounded column since the first migration; forms cap what is typed.
    description: str = field(
        _l("Description"), widget=TEXTAREA, default="", max_length=5000, sa_type=AutoString
    )
    is_public: bool = field(_l("May be listed publicly"), default=True)


class Organization(OrganizationFields, table=True):
    """A partner, lead or member organisation; its users sign in on its behalf."""

    __tablename__ = "organization"

    id: int | None = Field(default=None, primary_key=True)
    is_demo: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def kind_label(self) -> str:
        """The kind in words."""
        return OrgKind.label_of(self.kind)


class UserFields(SQLModel):
    """Who a user is and what they may do, as staff set it (declared once)."""

    # Stored lower-cased, so the unique constraint is case-insensitive on every backend.
    email: str = field(
        _l("E-mail"),
        widget=EMAIL,
        max_length=254,
        sa_column=Column(String(254), unique=True, nullable=False),
    )
    name: str = field(_l("Name"), max_length=200)
    role: str = field(_l("Role"), choices=Role, max_length=10)


class User(UserFields, table=True):
    """Someone who signs in: CoE staff and admins, or a partner organisation's member."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "role <> 'partner' OR organization_id IS NOT NULL", name="partner_has_organization"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
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
    def role_label(self) -> str:
        """The role in words."""
        return Role.label_of(self.role)

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
    """A single-use, expiring link sent to a user's mailbox: an invitation to set a password, a
    password reset, or the confirmation of a new e-mail address (``purpose``)."""

    __tablename__ = "invitation"

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = code_field(LinkPurpose, default=LinkPurpose.INVITE, max_length=20)
    # For an e-mail change: the address the link was sent to, which becomes the user's.
    new_email: str | None = Field(default=None, max_length=254)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_by_id: int | None = actor_field()
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365


def default_token_expiry() -> date:
    """The last day a new token works unless its owner chooses another."""
    return local_today() + timedelta(days=TOKEN_DEFAULT_DAYS)


class ApiToken(SQLModel, table=True):
    """A personal API token, shown once and stored hashed; it works through ``expires_on``."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=12)
    token_hash: str = Field(max_length=64, unique=True)
    # Space-separated TokenScope codes.
    scopes: str = Field(default=TokenScope.READ, max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
    expires_on: date = Field(default_factory=default_token_expiry)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    # When the "expires soon" mail went out, so `portal send-reminders` sends it once.
    expiry_reminded_at: datetime | None = None

    @property
    def scope_set(self) -> frozenset[str]:
        """The scopes as a set of codes."""
        return frozenset(self.scopes.split())

    @property
    def scope_labels(self) -> list[str]:
        """The scopes in words."""
        return [TokenScope.label_of(scope) for scope in sorted(self.scope_set)]

    def is_expired(self, today: date) -> bool:
        """Past its last day (Indian calendar)."""
        return self.expires_on < today


class LoginThrottle(SQLModel, table=True):
    """Failed logins per e-mail, known or not, so throttling holds across workers and leaks nothing."""

    __tablename__ = "login_throttle"

    email: str = Field(primary_key=True, max_length=254)
    failures: int = Field(default=0)
    window_started_at: datetime = Field(default_factory=utcnow)
    locked_until: datetime | None = None
