"""A licence application for one technology, and its steps through the staff pipeline.

The applicant's fields are declared once (``ApplicationFields``): the public form, the service's
allow-list and the staff page read them from there.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Index
from sqlmodel import AutoString, Field, SQLModel

from portal.db import utcnow
from portal.fields import EMAIL, TEXTAREA, VersionedRecord, actor_field, code_field, field
from portal.vocabulary import CompanySize, LicenceType, Stage

# Company Identification Number (21 characters) or GSTIN (15 characters), upper case.
CIN_PATTERN = r"[LU][0-9]{5}[A-Z]{2}[0-9]{4}[A-Z]{3}[0-9]{6}"
GSTIN_PATTERN = r"[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]"
REGISTRATION_PATTERN = rf"^(?:{CIN_PATTERN}|{GSTIN_PATTERN})$"


class ApplicationFields(SQLModel):
    """What an applicant fills in (declared once)."""

    licence_type: str = field(_l("Licence type"), choices=LicenceType, required=True, max_length=20)
    field_of_use: str = field(
        _l("Field of use"),
        help=_l("E.g. stationary storage, two-wheeler packs."),
        required=True,
        max_length=300,
    )
    territory: str = field(
        _l("Territory"), help=_l("E.g. India, South Asia."), required=True, max_length=200
    )
    company_name: str = field(_l("Company name"), required=True, max_length=200)
    company_registration: str = field(
        _l("CIN or GSTIN (optional)"),
        help=_l("21-character CIN (e.g. U31904KA2021PTC123456) or 15-character GSTIN."),
        default="",
        max_length=21,
        pattern=REGISTRATION_PATTERN,
        pattern_message=_l("Enter a 21-character CIN or a 15-character GSTIN, in capitals."),
    )
    company_size: str = field(_l("Company size"), choices=CompanySize, required=True, max_length=10)
    business_plan: str = field(
        _l("Business and manufacturing plan"),
        widget=TEXTAREA,
        required=True,
        max_length=10000,
        sa_type=AutoString,
    )
    expected_volumes: str = field(
        _l("Expected volumes"), help=_l("E.g. 20 MWh a year by 2028."), default="", max_length=300
    )
    timeline: str = field(
        _l("Timeline"), help=_l("E.g. pilot line in 2027."), default="", max_length=300
    )


class ContactFields(SQLModel):
    """Who to answer, asked of visitors only (a signed-in partner is already known)."""

    contact_name: str = field(_l("Your name"), required=True, max_length=200)
    contact_email: str = field(_l("E-mail"), widget=EMAIL, required=True, max_length=254)


class LicenceApplication(ApplicationFields, ContactFields, VersionedRecord, table=True):
    """One application for a licence to one technology."""

    __tablename__ = "licence_application"
    __table_args__ = (Index("ix_licence_application_stage_since", "stage", "stage_since"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=30, unique=True)
    technology_id: int = Field(foreign_key="technology.id", index=True, ondelete="CASCADE")
    organization_id: int | None = Field(
        default=None, foreign_key="organization.id", index=True, ondelete="SET NULL"
    )
    applicant_id: int | None = actor_field()
    stage: str = code_field(Stage, default=Stage.RECEIVED, max_length=20)
    stage_since: datetime = Field(default_factory=utcnow)
    # The optional PDF plan, stored with the agreements' document storage (DATA_DIR/applications).
    plan_stored_name: str | None = Field(default=None, max_length=80, unique=True)
    plan_filename: str = Field(default="", max_length=255)
    plan_size_bytes: int | None = None
    plan_sha256: str = Field(default="", max_length=64)
    agreement_id: int | None = Field(default=None, foreign_key="agreement.id", ondelete="SET NULL")
    ip_hash: str = Field(default="", max_length=64, index=True)


class ApplicationStep(SQLModel, table=True):
    """One step of an application: from what stage to what, when, and the message to the applicant."""

    __tablename__ = "licence_application_step"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(
        foreign_key="licence_application.id", index=True, ondelete="CASCADE"
    )
    from_stage: str = Field(default="", max_length=20)
    to_stage: str = Field(max_length=20)
    message: str = Field(default="")
    actor_id: int | None = actor_field()
    actor_label: str = Field(default="system", max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
