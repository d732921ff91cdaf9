"""Agreements with an organisation, their technologies, documents, milestones and milestone history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.db import utcnow


class AgreementKind(StrEnum):
    MOU = "mou"
    LICENSE = "license"
    NDA = "nda"
    MTA = "mta"


class AgreementStatus(StrEnum):
    DRAFT = "draft"
    NEGOTIATION = "negotiation"
    SIGNED = "signed"
    ACTIVE = "active"
    COMPLETED = "completed"
    EXPIRED = "expired"
    TERMINATED = "terminated"


class MilestoneKind(StrEnum):
    DELIVERABLE = "deliverable"
    PAYMENT = "payment"
    REPORT = "report"
    TRAINING = "training"
    PILOT = "pilot"
    REVIEW = "review"


class MilestoneOwner(StrEnum):
    COE = "coe"
    PARTNER = "partner"


class MilestoneStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WAIVED = "waived"


# Milestones in these states need nothing more from anyone: never overdue, never reminded.
CLOSED_MILESTONE_STATUSES = (MilestoneStatus.ACCEPTED, MilestoneStatus.WAIVED)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Agreement(SQLModel, table=True):
    __tablename__ = "agreement"
    __table_args__ = (
        CheckConstraint(_in("kind", AgreementKind), name="kind_valid"),
        CheckConstraint(_in("status", AgreementStatus), name="status_valid"),
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

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=40, unique=True)
    title: str = Field(default="", max_length=200)
    kind: str = Field(max_length=10)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    responsible_staff_id: int | None = Field(
        default=None, foreign_key="user_account.id", index=True, ondelete="SET NULL"
    )
    scope: str = Field(default="")
    exclusivity: str = Field(default="", max_length=40)
    field_of_use: str = Field(default="", max_length=300)
    territory: str = Field(default="", max_length=200)
    royalty_text: str = Field(default="", max_length=500)
    royalty_pct: Decimal | None = Field(default=None, sa_column=Column(Numeric(5, 2)))
    signed_on: date | None = None
    effective_on: date | None = None
    expires_on: date | None = None
    is_announced: bool = Field(default=False)
    status: str = Field(default=AgreementStatus.DRAFT, max_length=12, index=True)
    is_demo: bool = Field(default=False)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


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
    uploaded_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow)


class Milestone(SQLModel, table=True):
    __tablename__ = "milestone"
    __table_args__ = (
        CheckConstraint(_in("kind", MilestoneKind), name="kind_valid"),
        CheckConstraint(_in("owner", MilestoneOwner), name="owner_valid"),
        CheckConstraint(_in("status", MilestoneStatus), name="status_valid"),
        CheckConstraint("amount_inr IS NULL OR amount_inr >= 0", name="amount_not_negative"),
        Index("ix_milestone_due_on_status", "due_on", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    description: str = Field(default="")
    kind: str = Field(default=MilestoneKind.DELIVERABLE, max_length=12)
    owner: str = Field(default=MilestoneOwner.PARTNER, max_length=10)
    due_on: date
    amount_inr: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2)))
    status: str = Field(default=MilestoneStatus.PLANNED, max_length=12)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    def is_overdue(self, today: date) -> bool:
        """Past due and not accepted or waived (derived, never stored)."""
        return self.due_on < today and self.status not in CLOSED_MILESTONE_STATUSES


class MilestoneEvidence(SQLModel, table=True):
    """What a partner submitted for a milestone: a note, a file and/or a link."""

    __tablename__ = "milestone_evidence"

    id: int | None = Field(default=None, primary_key=True)
    milestone_id: int = Field(foreign_key="milestone.id", index=True, ondelete="CASCADE")
    submitted_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
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
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
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
