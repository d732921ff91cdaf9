"""Technologies the CoE can transfer, their applications, and the inquiries (leads) about them."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, Index, Text, event
from sqlmodel import Field, SQLModel

from portal.db import utcnow
from portal.fields import (
    EMAIL,
    MARKDOWN,
    TEXTAREA,
    VersionedRecord,
    actor_field,
    code_field,
    field,
    slug_field,
)
from portal.transitions import Chain
from portal.vocabulary import (
    Category,
    Chemistry,
    InquiryStatus,
    InterestKind,
    Licensing,
)

__all__ = ["Chemistry"]  # re-exported: the catalog's chemistry is the portal-wide one


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


def _metric(label, *, le: float):
    """An optional key figure: not every category of technology has it."""
    return field(label, default=None, ge=0, le=le)


def _long_text(label, *, widget: str = TEXTAREA, max_length: int = 5000):
    """A long text staff write, empty by default, stored as unbounded text."""
    column = Column(Text, nullable=False, default="")
    return field(label, widget=widget, max_length=max_length, default="", sa_column=column)


class TechnologyCard(SQLModel):
    """What lists, the list API and the CSV export show of a technology (declared once)."""

    slug: str = slug_field(
        _l("Used in the page address, e.g. sodium-ion-18650-cell."), max_length=120
    )
    title: str = field(_l("Title"), max_length=200)
    summary: str = field(
        _l("Summary"),
        help=_l("One or two sentences shown in the list."),
        widget=TEXTAREA,
        required=True,
        default="",
        max_length=500,
    )
    # Optional: Hindi pages show the English text (marked lang="en") where these are empty.
    title_hi: str = field(_l("Title in Hindi (optional)"), default="", max_length=200)
    summary_hi: str = field(
        _l("Summary in Hindi (optional)"), widget=TEXTAREA, default="", max_length=500
    )
    chemistry: str = field(_l("Chemistry"), choices=Chemistry, max_length=20)
    category: str = field(_l("Category"), choices=Category, max_length=20)
    trl: int = field(_l("Technology readiness level (1–9)"), ge=1, le=9)
    licensing_status: str = field(
        _l("Licensing"), choices=Licensing, default=Licensing.AVAILABLE, max_length=20
    )
    ip_status: str = field(
        _l("IP status"),
        help=_l("e.g. Indian patent granted; patent applied; know-how (trade secret)."),
        default="",
        max_length=200,
    )
    patent_refs: str = field(
        _l("Other IP references"),
        help=_l("Free text; record each patent or application under Patents."),
        default="",
        max_length=500,
    )
    specific_energy_wh_per_kg: float | None = _metric(_l("Specific energy (Wh/kg)"), le=2000)
    energy_density_wh_per_l: float | None = _metric(_l("Energy density (Wh/L)"), le=5000)
    cycle_life: int | None = _metric(_l("Cycle life (cycles to 80 %)"), le=1_000_000)
    max_c_rate: float | None = _metric(_l("Maximum C-rate"), le=1000)
    nominal_voltage_v: float | None = _metric(_l("Nominal voltage (V)"), le=2000)
    capacity_ah: float | None = _metric(_l("Capacity (Ah)"), le=100_000)
    cost_inr_per_kwh: int | None = _metric(_l("Indicative cost (₹/kWh)"), le=10_000_000)
    throughput_units_per_hour: float | None = _metric(
        _l("Throughput (units per hour)"), le=10_000_000
    )
    indigenous_content_pct: float | None = _metric(_l("Indigenous content (%)"), le=100)
    contact_name: str = field(_l("Contact person"), default="", max_length=200)
    contact_email: str = field(_l("Contact e-mail"), widget=EMAIL, default="", max_length=254)


class TechnologyFields(TechnologyCard):
    """Everything staff edit on a technology: the card plus the long texts (the form's allow-list)."""

    problem: str = _long_text(_l("The problem it solves"))
    advantage: str = _long_text(_l("How it beats current practice"))
    applications_text: str = _long_text(_l("Where it applies"))
    description: str = _long_text(_l("Description"), widget=MARKDOWN, max_length=20000)


class Technology(TechnologyFields, VersionedRecord, table=True):
    """A technology in the catalog; only published, unarchived ones are public."""

    __tablename__ = "technology"
    __table_args__ = (
        CheckConstraint("trl BETWEEN 1 AND 9", name="trl_range"),
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
    is_published: bool = Field(default=False)
    is_archived: bool = Field(default=False)
    applications_mask: int = Field(default=0)
    is_demo: bool = Field(default=False)
    published_at: datetime | None = None

    @property
    def applications(self) -> list[str]:
        """Where it applies: codes of Application, in the canonical order."""
        return applications_from_mask(self.applications_mask)

    @applications.setter
    def applications(self, codes) -> None:
        self.applications_mask = applications_mask(codes)

    @property
    def is_public(self) -> bool:
        """Visible to everyone (published and not archived)."""
        return self.is_published and not self.is_archived


class Inquiry(VersionedRecord, table=True):
    """An expression of interest from the public form: a lead the staff work through."""

    __tablename__ = "inquiry"
    __table_args__ = (
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
    interest: str = code_field(InterestKind, max_length=30)
    message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = code_field(InquiryStatus, default=InquiryStatus.NEW, max_length=20)
    # The organisation created when the lead was converted into a partner.
    organization_id: int | None = Field(
        default=None, foreign_key="organization.id", ondelete="SET NULL"
    )
    # A keyed hash of the sender's IP: enough to rate-limit across workers, not to identify.
    ip_hash: str = Field(default="", max_length=64)
    is_demo: bool = Field(default=False)


class InquiryNote(SQLModel, table=True):
    """A staff note on an inquiry (calls made, next steps)."""

    __tablename__ = "inquiry_note"

    id: int | None = Field(default=None, primary_key=True)
    inquiry_id: int = Field(foreign_key="inquiry.id", index=True, ondelete="CASCADE")
    author_id: int | None = actor_field()
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
INQUIRY_CHAIN = Chain(
    INQUIRY_TRANSITIONS,
    InquiryStatus.label_of,
    _l("An inquiry cannot go from “%(current)s” to “%(target)s”."),
)


# --- full-text search objects the ORM does not model ------------------------------------------
# SQLite: an FTS5 index over the technology table (external content) kept in sync by triggers.
# PostgreSQL: a GIN index over a weighted tsvector expression; portal.catalog.search uses the same
# expression, so the planner matches it. The Hindi title and summary are searched with the same
# weights as the English ones. Migration 0902 creates the same objects (0002 the first ones).
PG_SEARCH_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.summary, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.description, '')), 'C') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.title_hi, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(technology.summary_hi, '')), 'B')"
)
SQLITE_SEARCH_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS technology_fts USING fts5("
    "title, summary, description, title_hi, summary_hi, content='technology', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS technology_fts_insert AFTER INSERT ON technology BEGIN "
    "INSERT INTO technology_fts(rowid, title, summary, description, title_hi, summary_hi) "
    "VALUES (new.id, new.title, new.summary, new.description, new.title_hi, new.summary_hi); END",
    "CREATE TRIGGER IF NOT EXISTS technology_fts_delete AFTER DELETE ON technology BEGIN "
    "INSERT INTO technology_fts"
    "(technology_fts, rowid, title, summary, description, title_hi, summary_hi) "
    "VALUES ('delete', old.id, old.title, old.summary, old.description, old.title_hi, "
    "old.summary_hi); END",
    "CREATE TRIGGER IF NOT EXISTS technology_fts_update "
    "AFTER UPDATE OF title, summary, description, title_hi, summary_hi ON technology BEGIN "
    "INSERT INTO technology_fts"
    "(technology_fts, rowid, title, summary, description, title_hi, summary_hi) "
    "VALUES ('delete', old.id, old.title, old.summary, old.description, old.title_hi, "
    "old.summary_hi); "
    "INSERT INTO technology_fts(rowid, title, summary, description, title_hi, summary_hi) "
    "VALUES (new.id, new.title, new.summary, new.description, new.title_hi, new.summary_hi); END",
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
