"""Expressions of interest (leads): the public form's write, its rate limit, and the staff's work."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from portal.accounts.invitations import invite_user
from portal.accounts.models import Organization, User
from portal.accounts.organizations import create_organization
from portal.accounts.queries import user_by_email
from portal.catalog.models import INQUIRY_CHAIN, Inquiry, InquiryNote, Technology
from portal.changes import add_audited, apply_changes, check_version
from portal.db import utcnow
from portal.errors import ServiceError, Throttled
from portal.vocabulary import InquiryStatus, Role


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


def confirmation_allowed(db: Session, email: str) -> bool:
    """Whether this visitor address may get one more confirmation mail today: the public form
    cannot be used to flood someone's mailbox from the CoE's domain (the inquiry itself is kept
    and staff are told either way)."""
    since = utcnow() - timedelta(days=1)
    sent_today = db.exec(
        select(func.count(Inquiry.id)).where(
            func.lower(Inquiry.email) == email.strip().lower(), Inquiry.created_at >= since
        )
    ).one()
    # The count includes the inquiry just stored.
    return sent_today <= current_app.config["INQUIRY_CONFIRMATIONS_PER_ADDRESS_PER_DAY"]


# A second identical message within this window is a repeat (Back and Send again, a double
# click, a reload of a re-posted form), not a new lead: it is neither stored nor mailed again.
DUPLICATE_WINDOW = timedelta(minutes=15)


def recent_duplicate(
    db: Session, *, email: str, message: str, technology: Technology | None
) -> Inquiry | None:
    """The same sender's identical message about the same technology in the last minutes."""
    since = utcnow() - DUPLICATE_WINDOW
    query = select(Inquiry).where(
        func.lower(Inquiry.email) == email.strip().lower(),
        Inquiry.created_at >= since,
        Inquiry.technology_id == technology.id if technology else Inquiry.technology_id.is_(None),
    )
    wanted = " ".join(message.split())
    for inquiry in db.exec(query).all():
        if " ".join(inquiry.message.split()) == wanted:
            return inquiry
    return None


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
        raise Throttled(
            _(
                "You have sent several messages in the last hour. Please wait an hour and try "
                "again, or write to us by e-mail."
            )
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
    return add_audited(
        db,
        inquiry,
        "inquiry.created",
        label=f"{inquiry.name} <{inquiry.email}>",
        changes={
            "interest": interest,
            "technology": technology.slug if technology else None,
            "organization_name": inquiry.organization_name,
        },
    )


def change_inquiry_status(
    db: Session, inquiry: Inquiry, status: str, version: int | None
) -> Inquiry:
    """Move an inquiry along its workflow (only the allowed steps)."""
    check_version(inquiry, version)
    if status == inquiry.status:
        return inquiry
    INQUIRY_CHAIN.check(inquiry.status, status)
    if status == InquiryStatus.CONVERTED and inquiry.organization_id is None:
        raise ServiceError(_("Use “Convert to partner” to turn an inquiry into an organisation."))
    apply_changes(
        db,
        inquiry,
        {"status": status},
        allowed=("status",),
        version=version,
        action="inquiry.status_changed",
        label=inquiry.email,
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
    return add_audited(
        db,
        note,
        "inquiry.note_added",
        on=inquiry,
        label=inquiry.email,
        changes={"note": text[:300]},
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
    if InquiryStatus.CONVERTED not in INQUIRY_CHAIN.next_from(inquiry.status):
        raise ServiceError(_("This inquiry has already been converted or is closed."))
    if user_by_email(db, contact_email):
        raise ServiceError(_("A user with this e-mail address already exists."))
    created = create_organization(db, **organization)
    user, token = invite_user(
        db,
        email=contact_email,
        name=contact_name,
        role=Role.PARTNER,
        organization_id=created.id,
    )
    apply_changes(
        db,
        inquiry,
        {"organization_id": created.id, "status": InquiryStatus.CONVERTED},
        allowed=("organization_id", "status"),
        version=inquiry.version,
        action="inquiry.converted",
        label=inquiry.email,
        note={"organization": created.slug},
    )
    return created, user, token
