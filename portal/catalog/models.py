"""Technologies the CoE can transfer, their applications, and the inquiries (leads) about them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, Index, Text, event
from sqlmodel import Field, SQLModel

from portal.db import utcnow


class Chemistry(StrEnum):
    LI_ION = "li_ion"
    NA_ION = "na_ion"
    LI_POLYMER = "li_polymer"
    OTHER = "other"


class Category(StrEnum):
    CELL = "cell"
    MATERIALS = "materials"
    PROCESS = "process"
    EQUIPMENT = "equipment"
    BMS = "bms"
    RECYCLING = "recycling"
    TESTING = "testing"


class Application(StrEnum):
    EV = "ev"
    MOBILE = "mobile"
    ELECTRONICS = "electronics"
    STATIONARY = "stationary"


# Applications are a bit set on the technology row: the facet index covers them, so counting
# "how many match, per application" never leaves the narrow index (no join, no row reads).
APPLICATION_BITS = {"ev": 1, "mobile": 2, "electronics": 4, "stationary": 8}


def applications_mask(applications) -> int:
    """The bit set of a list of application codes (unknown codes ignored)."""
    mask = 0
    for application in applications or ():
        mask |= APPLICATION_BITS.get(str(application), 0)
    return mask


def applications_from_mask(mask: int) -> list[str]:
    """Application codes in the canonical order."""
    return [code for code, bit in APPLICATION_BITS.items() if (mask or 0) & bit]


class Licensing(StrEnum):
    AVAILABLE = "available"
    LICENSED = "licensed"
    NOT_AVAILABLE = "not_available"


class InterestKind(StrEnum):
    LICENSING = "licensing"
    CO_DEVELOPMENT = "co_development"
    TESTING_SERVICES = "testing_services"
    DATASET_ACCESS = "dataset_access"


class InquiryStatus(StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    IN_DISCUSSION = "in_discussion"
    CONVERTED = "converted"
    CLOSED = "closed"


def _in(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Technology(SQLModel, table=True):
    """A technology in the catalog; only published, unarchived ones are public."""

    __tablename__ = "technology"
    __table_args__ = (
        CheckConstraint("trl BETWEEN 1 AND 9", name="trl_range"),
        CheckConstraint(_in("chemistry", Chemistry), name="chemistry_valid"),
        CheckConstraint(_in("category", Category), name="category_valid"),
        CheckConstraint(_in("licensing_status", Licensing), name="licensing_status_valid"),
        CheckConstraint(
            "indigenous_content_pct IS NULL OR indigenous_content_pct BETWEEN 0 AND 100",
            name="indigenous_content_pct_range",
        ),
        CheckConstraint("applications_mask BETWEEN 0 AND 15", name="applications_mask_range"),
        # Facet counts read this narrow covering index, never the wide rows (see QUALITY.md).
        Index(
            "ix_technology_facets",
            "is_published",
            "is_archived",
            "chemistry",
            "category",
            "licensing_status",
            "trl",
            "applications_mask",
        ),
        Index("ix_technology_listing", "is_published", "is_archived", "published_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Facet columns first: SQLite reads them without touching the long text further on.
    is_published: bool = Field(default=False)
    is_archived: bool = Field(default=False)
    chemistry: str = Field(max_length=20)
    category: str = Field(max_length=20)
    licensing_status: str = Field(default=Licensing.AVAILABLE, max_length=20)
    trl: int
    applications_mask: int = Field(default=0)
    slug: str = Field(max_length=120, unique=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="", max_length=500)
    ip_status: str = Field(default="", max_length=200)
    patent_refs: str = Field(default="", max_length=500)
    # Key metrics; each is optional because not every category has them.
    specific_energy_wh_per_kg: float | None = None
    energy_density_wh_per_l: float | None = None
    cycle_life: int | None = None
    max_c_rate: float | None = None
    nominal_voltage_v: float | None = None
    capacity_ah: float | None = None
    cost_inr_per_kwh: int | None = None
    throughput_units_per_hour: float | None = None
    indigenous_content_pct: float | None = None
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)
    is_demo: bool = Field(default=False)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None
    # Markdown and story text last (long values).
    problem: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    advantage: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    applications_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))

    @property
    def applications(self) -> list[str]:
        """Where it applies: codes of Application, in the canonical order."""
        return applications_from_mask(self.applications_mask)

    @property
    def is_public(self) -> bool:
        """Visible to everyone (published and not archived)."""
        return self.is_published and not self.is_archived


class Inquiry(SQLModel, table=True):
    """An expression of interest from the public form: a lead the staff work through."""

    __tablename__ = "inquiry"
    __table_args__ = (
        CheckConstraint(_in("interest", InterestKind), name="interest_valid"),
        CheckConstraint(_in("status", InquiryStatus), name="status_valid"),
        Index("ix_inquiry_ip_hash_created_at", "ip_hash", "created_at"),
        Index("ix_inquiry_status_created_at", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    technology_id: int | None = Field(
        default=None, foreign_key="technology.id", index=True, ondelete="SET NULL"
    )
    name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    organization_name: str = Field(default="", max_length=200)
    interest: str = Field(max_length=30)
    message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default=InquiryStatus.NEW, max_length=20)
    # The organisation created when the lead was converted into a partner.
    organization_id: int | None = Field(
        default=None, foreign_key="organization.id", ondelete="SET NULL"
    )
    # A keyed hash of the sender's IP: enough to rate-limit across workers, not to identify.
    ip_hash: str = Field(default="", max_length=64)
    is_demo: bool = Field(default=False)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class InquiryNote(SQLModel, table=True):
    """A staff note on an inquiry (calls made, next steps)."""

    __tablename__ = "inquiry_note"

    id: int | None = Field(default=None, primary_key=True)
    inquiry_id: int = Field(foreign_key="inquiry.id", index=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    author_label: str = Field(default="", max_length=254)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


INQUIRY_TRANSITIONS: dict[str, tuple[str, ...]] = {
    InquiryStatus.NEW: (
        InquiryStatus.CONTACTED,
        InquiryStatus.IN_DISCUSSION,
        InquiryStatus.CONVERTED,
        InquiryStatus.CLOSED,
    ),
    InquiryStatus.CONTACTED: (
        InquiryStatus.IN_DISCUSSION,
        InquiryStatus.CONVERTED,
        InquiryStatus.CLOSED,
    ),
    InquiryStatus.IN_DISCUSSION: (InquiryStatus.CONVERTED, InquiryStatus.CLOSED),
    InquiryStatus.CONVERTED: (),
    InquiryStatus.CLOSED: (InquiryStatus.CONTACTED,),
}


# --- full-text search objects the ORM does not model ------------------------------------------
# SQLite: an FTS5 index over the technology table (external content) kept in sync by triggers.
# PostgreSQL: a GIN index over a weighted tsvector expression; portal.catalog.search uses the same
# expression, so the planner matches it. Migration 0002 creates the same objects.
PG_SEARCH_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.summary, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.description, '')), 'C')"
)
SQLITE_SEARCH_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS technology_fts USING fts5("
    "title, summary, description, content='technology', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS technology_fts_insert AFTER INSERT ON technology BEGIN "
    "INSERT INTO technology_fts(rowid, title, summary, description) "
    "VALUES (new.id, new.title, new.summary, new.description); END",
    "CREATE TRIGGER IF NOT EXISTS technology_fts_delete AFTER DELETE ON technology BEGIN "
    "INSERT INTO technology_fts(technology_fts, rowid, title, summary, description) "
    "VALUES ('delete', old.id, old.title, old.summary, old.description); END",
    "CREATE TRIGGER IF NOT EXISTS technology_fts_update "
    "AFTER UPDATE OF title, summary, description ON technology BEGIN "
    "INSERT INTO technology_fts(technology_fts, rowid, title, summary, description) "
    "VALUES ('delete', old.id, old.title, old.summary, old.description); "
    "INSERT INTO technology_fts(rowid, title, summary, description) "
    "VALUES (new.id, new.title, new.summary, new.description); END",
)
SQLITE_SEARCH_DROP = (
    "DROP TRIGGER IF EXISTS technology_fts_update",
    "DROP TRIGGER IF EXISTS technology_fts_delete",
    "DROP TRIGGER IF EXISTS technology_fts_insert",
    "DROP TABLE IF EXISTS technology_fts",
)
PG_SEARCH_DDL = (
    "CREATE INDEX IF NOT EXISTS ix_technology_fts_document ON technology "
    f"USING gin (({PG_SEARCH_DOCUMENT}))",
)
PG_SEARCH_DROP = ("DROP INDEX IF EXISTS ix_technology_fts_document",)


def search_ddl(dialect: str, *, drop: bool = False) -> tuple[str, ...]:
    """The statements that create (or drop) the full-text search objects on this backend."""
    if dialect == "sqlite":
        return SQLITE_SEARCH_DROP if drop else SQLITE_SEARCH_DDL
    if dialect == "postgresql":
        return PG_SEARCH_DROP if drop else PG_SEARCH_DDL
    return ()


@event.listens_for(SQLModel.metadata, "after_create")
def _create_search_objects(_metadata, connection, tables=None, **_kw) -> None:
    # create_all (tests, fresh installs without Alembic) builds the search index too.
    if tables is not None and Technology.__table__ not in tables:
        return
    for statement in search_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


@event.listens_for(SQLModel.metadata, "before_drop")
def _drop_search_objects(_metadata, connection, **_kw) -> None:
    for statement in search_ddl(connection.dialect.name, drop=True):
        connection.exec_driver_sql(statement)
