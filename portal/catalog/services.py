"""Every write about technologies and inquiries (flushes, never commits), plus the loaders."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import timedelta

from flask import abort, current_app
from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from portal.accounts import services as accounts
from portal.accounts.models import Organization, Role, User
from portal.audit.services import diff, record
from portal.catalog.models import (
    INQUIRY_TRANSITIONS,
    Inquiry,
    InquiryNote,
    InquiryStatus,
    Technology,
    applications_mask,
)
from portal.db import session as request_session
from portal.db import utcnow
from portal.errors import ConflictError, ServiceError

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG_LENGTH = 120
TECHNOLOGY_FIELDS = (
    "slug",
    "title",
    "summary",
    "description",
    "chemistry",
    "category",
    "trl",
    "ip_status",
    "patent_refs",
    "licensing_status",
    "specific_energy_wh_per_kg",
    "energy_density_wh_per_l",
    "cycle_life",
    "max_c_rate",
    "nominal_voltage_v",
    "capacity_ah",
    "cost_inr_per_kwh",
    "throughput_units_per_hour",
    "indigenous_content_pct",
    "problem",
    "advantage",
    "applications_text",
    "contact_name",
    "contact_email",
)


# --- loaders ---------------------------------------------------------------------------------


def technology_by_slug(db: Session, slug: str) -> Technology | None:
    """The technology with this slug (any state), or None; odd slugs never reach the database."""
    if len(slug) > MAX_SLUG_LENGTH or not SLUG_PATTERN.match(slug):
        return None
    return db.exec(select(Technology).where(Technology.slug == slug)).first()


def get_technology_or_404(slug: str, for_user) -> Technology:
    """A technology page's record: unpublished or archived ones are 404 except for staff."""
    technology = technology_by_slug(request_session(), slug)
    if technology is None:
        abort(404)
    if not technology.is_public and not getattr(for_user, "is_staff", False):
        abort(404)
    return technology


def applications_for(_db: Session, technology: Technology) -> list[str]:
    """The technology's applications in the canonical order."""
    return technology.applications


def featured_technologies(db: Session, limit: int = 3) -> list[Technology]:
    """The most recently published public technologies (for the home page)."""
    return list(
        db.exec(
            select(Technology)
            .where(Technology.is_published, ~Technology.is_archived)
            .order_by(Technology.published_at.desc(), Technology.id.desc())
            .limit(limit)
        ).all()
    )


# --- technologies ----------------------------------------------------------------------------


def _check_slug(db: Session, slug: str, technology_id: int | None = None) -> None:
    if not SLUG_PATTERN.match(slug or "") or len(slug) > MAX_SLUG_LENGTH:
        raise ServiceError(_("The short name may use lower-case letters, digits and hyphens only."))
    existing = db.exec(select(Technology.id).where(Technology.slug == slug)).first()
    if existing is not None and existing != technology_id:
        raise ServiceError(
            _("A technology with the short name “%(slug)s” already exists.", slug=slug)
        )


def _set_applications(db: Session, technology: Technology, applications: list[str]) -> None:
    technology.applications_mask = applications_mask(applications)
    db.add(technology)
    db.flush()


def _snapshot(db: Session, technology: Technology) -> dict:
    values = {name: getattr(technology, name) for name in TECHNOLOGY_FIELDS}
    values["applications"] = applications_for(db, technology) if technology.id else []
    return values


def create_technology(
    db: Session, *, applications: list[str] | None = None, **fields
) -> Technology:
    """Add a technology (unpublished until staff publish it)."""
    _check_slug(db, fields.get("slug", ""))
    unknown = set(fields) - set(TECHNOLOGY_FIELDS) - {"is_published", "is_demo"}
    if unknown:
        raise ServiceError(_("Unknown fields: %(fields)s", fields=", ".join(sorted(unknown))))
    technology = Technology(**fields)
    if technology.is_published:
        technology.published_at = utcnow()
    db.add(technology)
    db.flush()
    _set_applications(db, technology, applications or [])
    record(db, "technology.created", technology, changes=_snapshot(db, technology))
    return technology


def update_technology(
    db: Session,
    technology: Technology,
    *,
    version: int,
    applications: list[str] | None = None,
    **fields,
) -> Technology:
    """Save an edit; a form loaded before someone else's save gets a ConflictError."""
    if version != technology.version:
        raise ConflictError()
    if "slug" in fields:
        _check_slug(db, fields["slug"], technology.id)
    before = _snapshot(db, technology)
    for name, value in fields.items():
        if name in TECHNOLOGY_FIELDS:
            setattr(technology, name, value)
    if applications is not None:
        _set_applications(db, technology, applications)
    _bump(technology)
    db.add(technology)
    db.flush()
    record(db, "technology.updated", technology, changes=diff(before, _snapshot(db, technology)))
    return technology


def _bump(technology: Technology) -> None:
    technology.version += 1
    technology.updated_at = utcnow()


def _set_state(
    db: Session, technology: Technology, action: str, version: int | None, **flags
) -> Technology:
    if version is not None and version != technology.version:
        raise ConflictError()
    before = {name: getattr(technology, name) for name in flags}
    for name, value in flags.items():
        setattr(technology, name, value)
    if flags.get("is_published") and technology.published_at is None:
        technology.published_at = utcnow()
    _bump(technology)
    db.add(technology)
    db.flush()
    record(db, f"technology.{action}", technology, changes=diff(before, flags))
    return technology


def publish_technology(db: Session, technology: Technology, version: int | None = None):
    """Make a technology public (archived ones must be restored first)."""
    if technology.is_archived:
        raise ServiceError(_("Restore this technology from the archive before publishing it."))
    return _set_state(db, technology, "published", version, is_published=True)


def unpublish_technology(db: Session, technology: Technology, version: int | None = None):
    """Take a technology off the public catalog."""
    return _set_state(db, technology, "unpublished", version, is_published=False)


def archive_technology(db: Session, technology: Technology, version: int | None = None):
    """Archive a technology: hidden from the public and from the staff's working list."""
    return _set_state(db, technology, "archived", version, is_archived=True, is_published=False)


def restore_technology(db: Session, technology: Technology, version: int | None = None):
    """Bring an archived technology back as an unpublished draft."""
    return _set_state(db, technology, "restored", version, is_archived=False)


# --- inquiries -------------------------------------------------------------------------------


def ip_hash(ip: str) -> str:
    """A keyed hash of an IP address: rate limits work across workers, the IP is not stored."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"inquiry-ip:{ip}".encode(), hashlib.sha256).hexdigest()


def recent_inquiries_from(db: Session, hashed_ip: str) -> int:
    """Inquiries sent from this (hashed) IP in the last hour."""
    since = utcnow() - timedelta(hours=1)
    return db.exec(
        select(func.count(Inquiry.id)).where(
            Inquiry.ip_hash == hashed_ip, Inquiry.created_at >= since
        )
    ).one()


class RateLimited(ServiceError):
    """Too many inquiries from one address."""

    def __init__(self, message: str):
        super().__init__(message, status=429)


def create_inquiry(
    db: Session,
    *,
    ip: str,
    name: str,
    email: str,
    organization_name: str,
    interest: str,
    message: str,
    technology: Technology | None = None,
) -> Inquiry:
    """Record an expression of interest, refusing more than the hourly limit per address."""
    hashed = ip_hash(ip)
    limit = current_app.config["INQUIRIES_PER_IP_PER_HOUR"]
    if recent_inquiries_from(db, hashed) >= limit:
        raise RateLimited(
            "You have sent several messages in the last hour. Please wait an hour and try "
            "again, or write to us by e-mail."
        )
    inquiry = Inquiry(
        technology_id=technology.id if technology else None,
        name=name.strip()[:200],
        email=email.strip()[:254],
        organization_name=organization_name.strip()[:200],
        interest=interest,
        message=message.strip(),
        ip_hash=hashed,
    )
    db.add(inquiry)
    db.flush()
    record(
        db,
        "inquiry.created",
        inquiry,
        label=f"{inquiry.name} <{inquiry.email}>",
        changes={
            "interest": interest,
            "technology": technology.slug if technology else None,
            "organization_name": inquiry.organization_name,
        },
    )
    return inquiry


def change_inquiry_status(
    db: Session, inquiry: Inquiry, status: str, version: int | None = None
) -> Inquiry:
    """Move an inquiry along its workflow (only the allowed steps)."""
    if version is not None and version != inquiry.version:
        raise ConflictError()
    if status == inquiry.status:
        return inquiry
    if status not in INQUIRY_TRANSITIONS.get(inquiry.status, ()):
        raise ServiceError(
            _(
                "An inquiry cannot go from “%(current)s” to “%(wanted)s”.",
                current=inquiry.status,
                wanted=status,
            )
        )
    if status == InquiryStatus.CONVERTED and inquiry.organization_id is None:
        raise ServiceError(_("Use “Convert to partner” to turn an inquiry into an organisation."))
    before = inquiry.status
    inquiry.status = status
    inquiry.version += 1
    inquiry.updated_at = utcnow()
    db.add(inquiry)
    db.flush()
    record(
        db,
        "inquiry.status_changed",
        inquiry,
        label=inquiry.email,
        changes={"before": {"status": before}, "after": {"status": status}},
    )
    return inquiry


def add_inquiry_note(db: Session, inquiry: Inquiry, body: str, author: User) -> InquiryNote:
    """A staff note on an inquiry."""
    text = body.strip()
    if not text:
        raise ServiceError(_("Write something in the note."))
    note = InquiryNote(
        inquiry_id=inquiry.id,
        author_id=author.id,
        author_label=author.name or author.email,
        body=text[:5000],
    )
    db.add(note)
    db.flush()
    record(db, "inquiry.note_added", inquiry, label=inquiry.email, changes={"note": text[:300]})
    return note


def notes_for(db: Session, inquiry: Inquiry) -> list[InquiryNote]:
    """An inquiry's notes, oldest first."""
    return list(
        db.exec(
            select(InquiryNote)
            .where(InquiryNote.inquiry_id == inquiry.id)
            .order_by(InquiryNote.created_at, InquiryNote.id)
        ).all()
    )


def convert_inquiry(
    db: Session,
    inquiry: Inquiry,
    *,
    organization: dict,
    contact_name: str,
    contact_email: str,
) -> tuple[Organization, User, str]:
    """Turn a lead into a partner organisation and invite its contact; returns the invite token."""
    if InquiryStatus.CONVERTED not in INQUIRY_TRANSITIONS.get(inquiry.status, ()):
        raise ServiceError(_("This inquiry has already been converted or is closed."))
    if accounts.user_by_email(db, contact_email):
        raise ServiceError(_("A user with this e-mail address already exists."))
    created = accounts.create_organization(db, **organization)
    user, token = accounts.invite_user(
        db,
        email=contact_email,
        name=contact_name,
        role=Role.PARTNER,
        organization_id=created.id,
    )
    before = inquiry.status
    inquiry.organization_id = created.id
    inquiry.status = InquiryStatus.CONVERTED
    inquiry.version += 1
    inquiry.updated_at = utcnow()
    db.add(inquiry)
    db.flush()
    record(
        db,
        "inquiry.converted",
        inquiry,
        label=inquiry.email,
        changes={
            "before": {"status": before},
            "after": {"status": InquiryStatus.CONVERTED, "organization": created.slug},
        },
    )
    return created, user, token
