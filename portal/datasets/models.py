"""Datasets of cycler test data: their files, per-cycle summaries and grants to organisations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, BigInteger, CheckConstraint, Column, Index, UniqueConstraint
from sqlmodel import AutoString, Field, SQLModel

from portal.datasets.ingest.canonical import CycleSummaryFields
from portal.datasets.ingest.plausibility import CHECKS
from portal.datasets.ingest.summarise import SohStatus
from portal.db import utcnow
from portal.fields import TEXTAREA, VersionedRecord, actor_field, code_field, field, slug_field
from portal.vocabulary import (
    AccessRequestStatus,
    CellType,
    Chemistry,
    ClaimFigure,
    FileStatus,
    TestType,
    Visibility,
)

SOH_STATUSES = (
    SohStatus.REACHED,
    SohStatus.NOT_REACHED,
    SohStatus.NOT_ENOUGH_CYCLES,
    SohStatus.NO_REFERENCE,
)
WARNING_SCHEMA = {
    "type": "object",
    "required": ["check", "message", "cycles"],
    "properties": {
        "check": {"type": "string", "enum": list(CHECKS)},
        "message": {"type": "string"},
        "cycles": {"type": "array", "items": {"type": "integer"}},
    },
}


# A job is still to do (or doing) for files in these states: a starting worker picks them up.
UNFINISHED = (FileStatus.QUEUED, FileStatus.RUNNING)


def _long_text(label, max_length: int):
    # Validated to max_length in forms; the column stays unbounded text, as it always was.
    return field(label, widget=TEXTAREA, default="", max_length=max_length, sa_type=AutoString)


class DatasetFields(SQLModel):
    """What staff describe a dataset with, declared once: the table, the staff form, the service's
    allow-list, the API schema and the OpenAPI document all read these fields."""

    slug: str = slug_field(
        _l("Used in the address, e.g. na-ion-pouch-cycle-life. Cannot be changed later.")
    )
    title: str = field(_l("Title"), max_length=200)
    description: str = _long_text(_l("Description (Markdown)"), 20000)
    # Optional: Hindi pages show the English text (marked lang="en") where these are empty.
    title_hi: str = field(_l("Title in Hindi (optional)"), default="", max_length=200)
    description_hi: str = _long_text(_l("Description in Hindi (Markdown, optional)"), 20000)
    chemistry: str = field(
        _l("Chemistry"), choices=Chemistry, required=True, default=Chemistry.OTHER, max_length=12
    )
    cell_format: str = field(
        _l("Cell format"),
        help=_l("e.g. 2032 coin cell, 18650, 10 Ah pouch"),
        default="",
        max_length=80,
    )
    nominal_capacity_ah: float | None = field(
        _l("Nominal capacity (Ah)"), default=None, ge=1e-9, le=1e6
    )
    test_type: str = field(
        _l("Test type"), choices=TestType, required=True, default=TestType.CYCLE_LIFE, max_length=20
    )
    temperature_c: float | None = field(_l("Test temperature (°C)"), default=None, ge=-100, le=200)
    cell_type: str = field(
        _l("Cell type"),
        help=_l("Sets the efficiency convention (cellpy's cathode or anode mode)."),
        choices=CellType,
        required=True,
        default=CellType.FULL,
        max_length=16,
    )
    formation_cycles: int | None = field(
        _l("Formation cycles"),
        help=_l(
            "How many cycles at the start of each file are formation. Empty: 1 for a half "
            "cell, 0 for a full cell."
        ),
        default=None,
        ge=0,
        le=1000,
    )
    # Cell and test metadata, as Battery Archive shows it: filled from the first file that
    # states it (.ndax, .res and BDF headers do), else entered by staff.
    cathode: str = field(
        _l("Cathode"), help=_l("e.g. NMC811, LFP, NVPF"), default="", max_length=80
    )
    anode: str = field(
        _l("Anode"), help=_l("e.g. graphite, hard carbon, Li metal"), default="", max_length=80
    )
    electrolyte: str = field(_l("Electrolyte"), default="", max_length=200)
    active_mass_g: float | None = field(_l("Active mass (g)"), default=None, ge=0, le=1e6)
    electrode_area_cm2: float | None = field(_l("Electrode area (cm²)"), default=None, ge=0, le=1e7)
    c_rate_charge: float | None = field(_l("Charge C-rate"), default=None, ge=0, le=1000)
    c_rate_discharge: float | None = field(_l("Discharge C-rate"), default=None, ge=0, le=1000)
    voltage_min_v: float | None = field(_l("Lower voltage limit (V)"), default=None, ge=-10, le=10)
    voltage_max_v: float | None = field(_l("Upper voltage limit (V)"), default=None, ge=-10, le=10)
    cycler: str = field(
        _l("Cycler"), help=_l("Instrument and software"), default="", max_length=120
    )
    channel: str = field(_l("Cycler channel"), default="", max_length=40)
    visibility: str = field(
        _l("Who may see it"),
        choices=Visibility,
        required=True,
        default=Visibility.RESTRICTED,
        max_length=12,
    )
    licence_terms: str = _long_text(_l("Licence and terms of use"), 5000)
    attribution: str = _long_text(_l("Attribution / source"), 2000)
    public_card: bool = field(
        _l("Show a public card when not public"),
        help=_l(
            "Title, chemistry, cell, cycle count, size and terms (no data) with a "
            "“Request access” button. Leave off to keep the dataset invisible."
        ),
        default=False,
    )


class Dataset(DatasetFields, VersionedRecord, table=True):
    """A set of cycler files about one kind of cell and test, shared as its visibility says."""

    __tablename__ = "dataset"
    __table_args__ = (
        CheckConstraint(
            "nominal_capacity_ah IS NULL OR nominal_capacity_ah > 0", name="capacity_positive"
        ),
        # The list page filters by visibility and chemistry and orders by title.
        Index("ix_dataset_visibility_chemistry", "visibility", "chemistry"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Chosen on the staff form from the technologies (not one of the declared fields: the API
    # shows the technology's slug instead).
    technology_id: int | None = Field(
        default=None, foreign_key="technology.id", index=True, ondelete="SET NULL"
    )
    is_demo: bool = Field(default=False)
    created_by_id: int | None = actor_field()


class DatasetFileFields(SQLModel):
    """What anyone who may see a dataset learns about each of its files (the API shows these)."""

    # Shown to people only; never used to build a path on disk.
    original_filename: str = Field(default="", max_length=255)
    format: str = Field(
        default="",
        max_length=30,
        description="Detected from the content, e.g. maccor_txt, neware_csv, arbin_csv",
    )
    status: str = code_field(FileStatus, default=FileStatus.PENDING, max_length=10)
    size_bytes: int = Field(sa_type=BigInteger)
    sha256: str = Field(max_length=64)
    row_count: int | None = Field(default=None, sa_type=BigInteger)
    cycle_count: int | None = None
    reference_capacity_ah: float | None = None
    reference_rule: str = Field(default="", max_length=300)
    cycles_to_80_soh: int | None = Field(
        default=None,
        description="First cycle below 80 % of the reference capacity; null: see soh_status",
    )
    soh_status: str = Field(
        default="no_reference",
        max_length=20,
        description="Why cycles_to_80_soh is or is not a number",
        schema_extra={"json_schema_extra": {"enum": list(SOH_STATUSES)}},
    )
    convention: str = Field(
        default="", max_length=300, description="The efficiency convention the figures follow"
    )
    flags: list[str] = Field(
        default_factory=list, sa_type=JSON, description="The reader's data-quality notes"
    )
    test_metadata: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=JSON,
        description="What the file itself states about the cell and test (cycler, channel, ...)",
    )
    warnings: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_type=JSON,
        description="Plausibility warnings found at ingest, each with the cycles concerned",
        schema_extra={"json_schema_extra": {"items": WARNING_SCHEMA}},
    )


class DatasetFile(DatasetFileFields, table=True):
    """One uploaded cycler file: the original and its canonical Parquet, both under generated names."""

    __tablename__ = "dataset_file"

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True, ondelete="CASCADE")
    stored_name: str = Field(max_length=80, unique=True)
    error_message: str = Field(default="")
    parquet_name: str | None = Field(default=None, max_length=80, unique=True)
    # Downsampled plot series computed at ingest, so plots never read the big table.
    capacity_series: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    voltage_preview: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    uploaded_by_id: int | None = actor_field()
    created_at: datetime = Field(default_factory=utcnow)
    ingested_at: datetime | None = None
    # The ingest job (portal.datasets.jobs): which request for work is current, which run of it
    # holds the file (a newer run wins; an older one gives up), and how far it has got.
    job_id: str | None = Field(default=None, max_length=32)
    attempt_id: str | None = Field(default=None, max_length=32)
    progress_percent: int = Field(default=0)
    rows_read: int | None = Field(default=None, sa_type=BigInteger)
    job_updated_at: datetime | None = None

    @property
    def unfinished(self) -> bool:
        """Queued or running: its progress is still worth polling."""
        return self.status in UNFINISHED


class CycleSummary(CycleSummaryFields, table=True):
    """One cycle of one file (its figures are declared once, in the ingest package)."""

    __tablename__ = "cycle_summary"
    __table_args__ = (UniqueConstraint("dataset_file_id", "cycle_index", name="file_cycle"),)

    id: int | None = Field(default=None, primary_key=True)
    dataset_file_id: int = Field(foreign_key="dataset_file.id", ondelete="CASCADE")


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
    granted_by_id: int | None = actor_field()
    created_at: datetime = Field(default_factory=utcnow)

    def is_current(self, today: date) -> bool:
        """Not revoked and not past its expiry date (the agreement is checked separately)."""
        return self.revoked_at is None and (self.expires_on is None or self.expires_on >= today)


class TechnologyClaim(SQLModel, table=True):
    """A technology's key figure linked to a measure of one dataset, checked whenever shown."""

    __tablename__ = "technology_claim"
    __table_args__ = (
        UniqueConstraint("technology_id", "figure", "dataset_id", name="uq_technology_claim_link"),
    )

    id: int | None = Field(default=None, primary_key=True)
    technology_id: int = Field(foreign_key="technology.id", index=True, ondelete="CASCADE")
    dataset_id: int = Field(foreign_key="dataset.id", index=True, ondelete="CASCADE")
    figure: str = code_field(ClaimFigure, max_length=24)
    # Cycle life and capacity are read from the technology's own key figures; retention and
    # coulombic efficiency (not technology fields) are claimed here, in percent.
    claimed_value: float | None = None
    after_cycles: int | None = None  # for "retention after N cycles"
    tolerance_pct: float = Field(default=5.0)
    created_at: datetime = Field(default_factory=utcnow)


class AccessRequest(VersionedRecord, table=True):
    """A partner's request to open a dataset, with the terms they accepted (version and time)."""

    __tablename__ = "access_request"
    __table_args__ = (Index("ix_access_request_status_created_at", "status", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="CASCADE")
    requester_id: int | None = actor_field()
    purpose: str = Field(default="", sa_type=AutoString)
    # The terms as accepted: a fingerprint of their exact text, and when.
    terms_version: str = Field(max_length=16)
    terms_accepted_at: datetime = Field(default_factory=utcnow)
    status: str = code_field(
        AccessRequestStatus, default=AccessRequestStatus.PENDING, max_length=10
    )
    decided_by_id: int | None = actor_field()
    decided_at: datetime | None = None
    decline_reason: str = Field(default="")
    grant_id: int | None = Field(default=None, foreign_key="dataset_grant.id", ondelete="SET NULL")
