"""The dashboard's figures about people, leads and recent activity (other domains' tables, read only)."""

from __future__ import annotations

from sqlmodel import Session, func, select

from portal.accounts.models import Organization, User
from portal.audit.models import AuditEntry
from portal.catalog.models import Inquiry
from portal.vocabulary import InquiryStatus

RECENT_ACTIVITY = 8


def people_and_leads(db: Session) -> dict[str, int]:
    """Organisations, active users and new inquiries (three counts)."""
    return {
        "organizations": db.exec(select(func.count(Organization.id))).one(),
        "users": db.exec(select(func.count(User.id)).where(User.is_active)).one(),
        "new_inquiries": db.exec(
            select(func.count(Inquiry.id)).where(Inquiry.status == InquiryStatus.NEW)
        ).one(),
    }


def recent_activity(db: Session, limit: int = RECENT_ACTIVITY) -> list[AuditEntry]:
    """The latest audit entries, newest first."""
    return list(db.exec(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).all())
