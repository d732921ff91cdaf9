"""Datasets of cycler test data: their files, per-cycle summaries and grants to organisations."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.db import utcnow


class Visibility(StrEnum):
    PUBLIC = "public"
    PARTNERS = "partners"
    RESTRICTED = "restricted"


class FileStatus(StrEnum):
    PENDING = "pending"
    INGESTED = "ingested"
    FAILED = "failed"


CHEMISTRIES = ("li_ion", "na_ion", "li_polymer", "other")
TEST_TYPES = (
    "cycle_life",
    "rate_capability",
    "formation",
    "calendar_ageing",
    "characterisation",
    "other",
)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Dataset(SQLModel, table=True):
    __tablename__ = "dataset"
    __table_args__ = (
        CheckConstraint(_in("visibility", Visibility), name="visibility_valid"),
        CheckConstraint(_in("chemistry", CHEMISTRIES), name="chemistry_valid"),
        CheckConstraint(_in("test_type", TEST_TYPES), name="test_type_valid"),
        CheckConstraint(
            "nominal_capacity_ah IS NULL OR nominal_capacity_ah > 0", name="capacity_positive"
        ),
        # The list page filters by visibility and chemistry and orders by title.
        Index("ix_dataset_visibility_chemistry", "visibility", "chemistry"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    title: str = Field(max_length=200)
    description: str = Field(default="")
    technology_id: int | None = Field(
        default=None, foreign_key="technology.id", index=True, ondelete="SET NULL"
    )
    chemistry: str = Field(default="other", max_length=12)
    cell_format: str = Field(default="", max_length=80)
    nominal_capacity_ah: float | None = None
    test_type: str = Field(default="cycle_life", max_length=20)
    temperature_c: float | None = None
    visibility: str = Field(default=Visibility.RESTRICTED, max_length=12)
    licence_terms: str = Field(default="")
    attribution: str = Field(default="")
    is_demo: bool = Field(default=False)
    created_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DatasetFile(SQLModel, table=True):
    """One uploaded cycler file: the original and its canonical Parquet, both under generated names."""

    __tablename__ = "dataset_file"
    __table_args__ = (CheckConstraint(_in("status", FileStatus), name="status_valid"),)

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True, ondelete="CASCADE")
    # Shown to people only; never used to build a path on disk.
    original_filename: str = Field(default="", max_length=255)
    stored_name: str = Field(max_length=80, unique=True)
    sha256: str = Field(max_length=64)
    size_bytes: int = Field(sa_column=Column(BigInteger, nullable=False))
    format: str = Field(default="", max_length=30)
    status: str = Field(default=FileStatus.PENDING, max_length=10)
    error_message: str = Field(default="")
    parquet_name: str | None = Field(default=None, max_length=80, unique=True)
    row_count: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    cycle_count: int | None = None
    reference_capacity_ah: float | None = None
    reference_rule: str = Field(default="", max_length=300)
    cycles_to_80_soh: int | None = None
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Downsampled plot series computed at ingest, so plots never read the big table.
    capacity_series: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    voltage_preview: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    uploaded_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow)
    ingested_at: datetime | None = None


class CycleSummary(SQLModel, table=True):
    """One cycle of one file: capacities in Ah, energies in Wh, efficiencies as fractions."""

    __tablename__ = "cycle_summary"
    __table_args__ = (UniqueConstraint("dataset_file_id", "cycle_index", name="file_cycle"),)

    id: int | None = Field(default=None, primary_key=True)
    dataset_file_id: int = Field(foreign_key="dataset_file.id", ondelete="CASCADE")
    cycle_index: int
    charge_capacity_ah: float | None = None
    discharge_capacity_ah: float | None = None
    charge_energy_wh: float | None = None
    discharge_energy_wh: float | None = None
    coulombic_efficiency: float | None = None
    energy_efficiency: float | None = None
    min_voltage_v: float | None = None
    max_voltage_v: float | None = None
    duration_s: float | None = None
    capacity_retention: float | None = None


SUMMARY_FIELDS = (
    "cycle_index",
    "charge_capacity_ah",
    "discharge_capacity_ah",
    "charge_energy_wh",
    "discharge_energy_wh",
    "coulombic_efficiency",
    "energy_efficiency",
    "min_voltage_v",
    "max_voltage_v",
    "duration_s",
    "capacity_retention",
)


class DatasetGrant(SQLModel, table=True):
    """A restricted dataset opened to one organisation, optionally under an agreement, until a date."""

    __tablename__ = "dataset_grant"
    __table_args__ = (
        Index("ix_dataset_grant_organization_dataset", "organization_id", "dataset_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id", ondelete="CASCADE")
    # Deleting the agreement deletes the grant: access must never widen to "no agreement needed".
    agreement_id: int | None = Field(
        default=None, foreign_key="agreement.id", index=True, ondelete="CASCADE"
    )
    expires_on: date | None = None
    revoked_at: datetime | None = None
    granted_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow)

    def is_current(self, today: date) -> bool:
        """Not revoked and not past its expiry date (the agreement is checked separately)."""
        return self.revoked_at is None and (self.expires_on is None or self.expires_on >= today)
