"""Agreements with an organisation, their technologies, documents, milestones and milestone history.

Each record's ordinary fields are declared once, on a base model (``AgreementCard`` →
``AgreementFields``, ``MilestoneCard`` → ``MilestoneFields``): the tables, the staff forms, the
services' allow-lists, the API schemas and the OpenAPI document all derive from them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from flask_babel import lazy_gettext as _l
from pydantic import PlainSerializer
from sqlalchemy import CheckConstraint, Column, Index, Numeric, UniqueConstraint, and_, case
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlmodel import AutoString, Field, SQLModel
from sqlmodel.main import SQLModelConfig

from portal.dates import local_today
from portal.db import utcnow
from portal.fields import MARKDOWN, VersionedRecord, actor_field, code_field, field
from portal.vocabulary import (
    AgreementKind,
    AgreementStatus,
    ChangeKind,
    Exclusivity,
    MilestoneKind,
    MilestoneOwner,
    MilestoneStatus,
    RoyaltyPeriod,
)

# Milestones in these states need nothing more from anyone: never overdue, never reminded.
CLOSED_MILESTONE_STATUSES = (MilestoneStatus.ACCEPTED, MilestoneStatus.WAIVED)


def _as_number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


# Money and percentages are exact decimals in the database and plain numbers in JSON.
Amount = Annotated[
    Decimal | None, PlainSerializer(_as_number, return_type=float | None, when_used="json")
]
# Hybrid properties are SQLAlchemy descriptors, not fields.
HYBRID_CONFIG = SQLModelConfig(ignored_types=(hybrid_property, hybrid_method))


class AgreementCard(SQLModel):
    """What a partner (and the API) reads of an agreement: its terms and dates (declared once)."""

    title: str = field(_l("Title"), default="", max_length=200)
    kind: str = field(_l("Kind"), choices=AgreementKind, max_length=10)
    scope: str = field(
        _l("Scope"), widget=MARKDOWN, default="", max_length=20000, sa_type=AutoString
    )
    exclusivity: str = field(
        _l("Exclusivity"), choices=Exclusivity, default=Exclusivity.NOT_APPLICABLE, max_length=40
    )
    field_of_use: str = field(_l("Field of use"), default="", max_length=300)
    territory: str = field(_l("Territory"), default="", max_length=200)
    royalty_text: str = field(_l("Royalty terms"), default="", max_length=500)
    royalty_pct: Amount = field(
        _l("Royalty (%)"), default=None, ge=0, le=100, sa_column=Column(Numeric(5, 2))
    )
    minimum_annual_royalty_inr: Amount = field(
        _l("Minimum annual royalty (₹)"),
        help=_l("Owed each licence year even when royalties on sales come to less."),
        default=None,
        ge=0,
        le=10**12,
        sa_column=Column(Numeric(14, 2)),
    )
    royalty_period: str = field(
        _l("Royalty reporting period"),
        help=_l("Licensees file a royalty report for each period, within 30 days of its end."),
        choices=RoyaltyPeriod,
        default=RoyaltyPeriod.QUARTERLY,
        max_length=12,
    )
    signed_on: date | None = field(_l("Signed on"), default=None)
    effective_on: date | None = field(_l("Effective from"), default=None)
    expires_on: date | None = field(_l("Expires on"), default=None)


class AgreementFields(AgreementCard):
    """Everything staff edit on an agreement: the card plus who it is with (the form's allow-list)."""

    organization_id: int = field(
        _l("Partner organisation"), foreign_key="organization.id", index=True
    )
    responsible_staff_id: int | None = field(
        _l("Responsible staff member"),
        default=None,
        foreign_key="user_account.id",
        index=True,
        ondelete="SET NULL",
    )
    is_announced: bool = field(_l("Announce publicly on the partners page"), default=False)


class Agreement(AgreementFields, VersionedRecord, table=True):
    """An MoU, licence, NDA or MTA with one organisation."""

    __tablename__ = "agreement"
    __table_args__ = (
        CheckConstraint(
            "royalty_pct IS NULL OR (royalty_pct >= 0 AND royalty_pct <= 100)",
            name="royalty_pct_range",
        ),
        CheckConstraint(
            "expires_on IS NULL OR effective_on IS NULL OR expires_on >= effective_on",
            name="expiry_after_effective",
        ),
        Index("ix_agreement_status_expires_on", "status", "expires_on"),
    )
    model_config = HYBRID_CONFIG

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=40, unique=True)
    status: str = code_field(
        AgreementStatus, default=AgreementStatus.DRAFT, max_length=12, index=True
    )
    is_demo: bool = Field(default=False)
    # A renewal or amendment is a new agreement pointing at the version it follows.
    previous_id: int | None = Field(
        default=None, foreign_key="agreement.id", index=True, ondelete="SET NULL"
    )
    change_kind: str = code_field(ChangeKind, default=ChangeKind.ORIGINAL, max_length=10)

    # The one definition of "an active agreement past its expiry date counts as expired", in
    # Python for a loaded agreement and in SQL for lists, counts and access rules.
    @hybrid_method
    def status_on(self, today: date) -> str:
        """The status as everyone reads it on ``today``."""
        if (
            self.status == AgreementStatus.ACTIVE
            and self.expires_on is not None
            and self.expires_on < today
        ):
            return AgreementStatus.EXPIRED
        return self.status

    @status_on.inplace.expression
    @classmethod
    def _status_on_expression(cls, today: date):
        lapsed = and_(cls.status == AgreementStatus.ACTIVE, cls.expires_on < today)
        return case((lapsed, AgreementStatus.EXPIRED.value), else_=cls.status)

    @hybrid_property
    def effective_status(self) -> str:
        """The status as everyone reads it today in India."""
        return self.status_on(local_today())

    @effective_status.inplace.expression
    @classmethod
    def _effective_status_expression(cls):
        return cls.status_on(local_today())


class AgreementTechnology(SQLModel, table=True):
    """Which catalog technologies an agreement covers."""

    __tablename__ = "agreement_technology"

    agreement_id: int = Field(foreign_key="agreement.id", primary_key=True, ondelete="CASCADE")
    technology_id: int = Field(
        foreign_key="technology.id", primary_key=True, index=True, ondelete="CASCADE"
    )


class AgreementDocument(SQLModel, table=True):
    """A signed copy or an amendment; the file lives in DATA_DIR under a generated name."""

    __tablename__ = "agreement_document"
    __table_args__ = (
        UniqueConstraint("agreement_id", "version", name="uq_agreement_document_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="CASCADE")
    version: int = Field(default=1)
    title: str = Field(default="", max_length=200)
    stored_name: str = Field(max_length=80, unique=True)
    original_filename: str = Field(default="", max_length=255)
    content_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64)
    uploaded_by_id: int | None = actor_field()
    created_at: datetime = Field(default_factory=utcnow)


class MilestoneCard(SQLModel):
    """What lists and the API show of a milestone (declared once)."""

    title: str = field(_l("Title"), max_length=200)
    kind: str = field(
        _l("Kind"), choices=MilestoneKind, default=MilestoneKind.DELIVERABLE, max_length=12
    )
    owner: str = field(
        _l("Owner"), choices=MilestoneOwner, default=MilestoneOwner.PARTNER, max_length=10
    )
    due_on: date = field(_l("Due on"))
    amount_inr: Amount = field(
        _l("Amount (₹)"), default=None, ge=0, le=10**11, sa_column=Column(Numeric(14, 2))
    )


class MilestoneFields(MilestoneCard):
    """Everything staff edit on a milestone: the card plus its description (the form's allow-list)."""

    description: str = field(
        _l("Description"), widget=MARKDOWN, default="", max_length=5000, sa_type=AutoString
    )


class Milestone(MilestoneFields, VersionedRecord, table=True):
    """Something an agreement obliges the CoE or the partner to do by a date."""

    __tablename__ = "milestone"
    __table_args__ = (
        CheckConstraint("amount_inr IS NULL OR amount_inr >= 0", name="amount_not_negative"),
        Index("ix_milestone_due_on_status", "due_on", "status"),
    )
    model_config = HYBRID_CONFIG

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="CASCADE")
    status: str = code_field(MilestoneStatus, default=MilestoneStatus.PLANNED, max_length=12)

    @hybrid_property
    def is_open(self) -> bool:
        """Still waiting on someone (neither accepted nor waived)."""
        return self.status not in CLOSED_MILESTONE_STATUSES

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls):
        return cls.status.not_in(CLOSED_MILESTONE_STATUSES)

    @hybrid_method
    def is_overdue(self, today: date) -> bool:
        """Past due and still open (derived, never stored)."""
        return self.due_on < today and self.is_open

    @is_overdue.inplace.expression
    @classmethod
    def _is_overdue_expression(cls, today: date):
        return and_(cls.due_on < today, cls.is_open)


class MilestoneEvidence(SQLModel, table=True):
    """What a partner submitted for a milestone: a note, a file and/or a link."""

    __tablename__ = "milestone_evidence"

    id: int | None = Field(default=None, primary_key=True)
    milestone_id: int = Field(foreign_key="milestone.id", index=True, ondelete="CASCADE")
    submitted_by_id: int | None = actor_field()
    note: str = Field(default="")
    link_url: str = Field(default="", max_length=500)
    stored_name: str | None = Field(default=None, max_length=80, unique=True)
    original_filename: str = Field(default="", max_length=255)
    content_type: str = Field(default="", max_length=100)
    size_bytes: int | None = None
    sha256: str = Field(default="", max_length=64)
    # A dataset of test results (its per-cycle summary is checked against the milestone).
    dataset_id: int | None = Field(
        default=None, foreign_key="dataset.id", index=True, ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow)


class MilestoneEvent(SQLModel, table=True):
    """One step in a milestone's history: who moved it from what to what, and why."""

    __tablename__ = "milestone_event"

    id: int | None = Field(default=None, primary_key=True)
    milestone_id: int = Field(foreign_key="milestone.id", index=True, ondelete="CASCADE")
    actor_id: int | None = actor_field()
    actor_label: str = Field(default="system", max_length=254)
    from_status: str = Field(default="", max_length=12)
    to_status: str = Field(max_length=12)
    reason: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow)


class MilestoneReminder(SQLModel, table=True):
    """A reminder already sent, so each (milestone, threshold) is mailed once."""

    __tablename__ = "milestone_reminder"
    __table_args__ = (
        UniqueConstraint("milestone_id", "threshold", name="uq_milestone_reminder_threshold"),
    )

    id: int | None = Field(default=None, primary_key=True)
    milestone_id: int = Field(foreign_key="milestone.id", index=True, ondelete="CASCADE")
    threshold: str = Field(max_length=10)  # "14", "7", "1" days before, or "overdue"
    sent_at: datetime = Field(default_factory=utcnow)
    recipients: int = Field(default=0)
