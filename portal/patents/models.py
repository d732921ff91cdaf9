"""A patent or application protecting a technology, and the renewal reminders already sent."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.db import utcnow
from portal.fields import VersionedRecord, field
from portal.vocabulary import Jurisdiction, PatentStatus

# Empty is allowed for the optional numbers; the application number is required on its own.
NUMBER_PATTERN = r"^(?:[A-Za-z0-9][A-Za-z0-9 ./-]*)?$"
NUMBER_MESSAGE = _l("Use letters, digits, spaces, dots, slashes and hyphens only.")


# Renewal fees keep these alive; the others need no more payments.
LIVE_STATUSES = (
    PatentStatus.FILED,
    PatentStatus.PUBLISHED,
    PatentStatus.EXAMINATION,
    PatentStatus.GRANTED,
)


def _number(label, **column):
    return field(
        label, max_length=40, pattern=NUMBER_PATTERN, pattern_message=NUMBER_MESSAGE, **column
    )


class PatentFields(SQLModel):
    """What staff record of a patent, and what the page, API and CSV show (declared once)."""

    jurisdiction: str = field(_l("Office"), choices=Jurisdiction, max_length=2)
    application_number: str = _number(_l("Application number"), required=True)
    filing_date: date = field(_l("Filing date"))
    publication_number: str = _number(_l("Publication number"), default="")
    publication_date: date | None = field(_l("Publication date"), default=None)
    grant_number: str = _number(_l("Grant (patent) number"), default="")
    grant_date: date | None = field(_l("Grant date"), default=None)
    status: str = field(
        _l("Status"), choices=PatentStatus, default=PatentStatus.FILED, max_length=20
    )
    family: str = field(
        _l("Family"),
        help=_l("The priority application or family name that links filings of one invention."),
        default="",
        max_length=80,
    )


class Patent(PatentFields, VersionedRecord, table=True):
    """One filing in one office for one technology."""

    __tablename__ = "patent"
    __table_args__ = (
        UniqueConstraint("jurisdiction", "application_number", name="uq_patent_application"),
    )

    id: int | None = Field(default=None, primary_key=True)
    technology_id: int = Field(foreign_key="technology.id", index=True, ondelete="CASCADE")

    def one_line(self) -> str:
        """ "IN 202341012345 (granted, IN 412345)": how a sheet or a CSV cell names it."""
        status = str(PatentStatus.labels().get(self.status, self.status)).lower()
        grant = f", {self.grant_number}" if self.grant_number else ""
        return f"{self.jurisdiction} {self.application_number} ({status}{grant})"


class PatentReminder(SQLModel, table=True):
    """A renewal-fee reminder already sent: the key that makes the run idempotent."""

    __tablename__ = "patent_reminder"
    __table_args__ = (
        UniqueConstraint("patent_id", "due_on", "threshold", name="uq_patent_reminder_once"),
    )

    id: int | None = Field(default=None, primary_key=True)
    patent_id: int = Field(foreign_key="patent.id", index=True, ondelete="CASCADE")
    due_on: date
    threshold: str = Field(max_length=10)
    sent_at: datetime = Field(default_factory=utcnow)
