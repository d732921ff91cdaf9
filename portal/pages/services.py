"""Reading and saving content pages (audited), and storing public feedback (throttled per IP)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session, select

from portal.changes import add_audited, apply_changes, check_version
from portal.errors import Throttled
from portal.pages import defaults
from portal.pages.models import ContentPage, ContentPageFields, Feedback
from portal.ratelimit import hashed, hit, retry_after
from portal.vocabulary import PageSlug

FEEDBACK_BUCKET = "feedback"
FEEDBACK_WINDOW = timedelta(hours=1)


def shipped_page(slug: str) -> ContentPage:
    """The page as shipped (not stored): its English and Hindi texts."""
    return ContentPage(
        slug=slug,
        title_en=str(PageSlug(slug).label),
        body_en=defaults.BODIES_EN[slug],
        title_hi=defaults.TITLES_HI.get(slug, ""),
        body_hi=defaults.BODIES_HI.get(slug, ""),
        version=0,
    )


def page_for(db: Session, slug: str) -> ContentPage:
    """The saved page, or the shipped one when staff have not saved it yet."""
    saved = db.exec(select(ContentPage).where(ContentPage.slug == slug)).first()
    return saved if saved is not None else shipped_page(slug)


def save_page(db: Session, slug: str, changes: dict, version) -> ContentPage:
    """Save a page's texts as one audited, version-checked edit (the first save stores it)."""
    page = page_for(db, slug)
    if page.id is None:
        check_version(page, version)  # the shipped page is version 0
        page.version = 1
        for name in ContentPageFields.model_fields:
            if name in changes:
                setattr(page, name, changes[name])
        return add_audited(db, page, "page.created", label=slug, changes=changes)
    apply_changes(
        db,
        page,
        changes,
        allowed=ContentPageFields,
        version=version,
        action="page.updated",
        label=slug,
    )
    return page


def send_feedback(db: Session, *, ip: str, **fields) -> Feedback:
    """Store a feedback message, refusing more than the hourly limit per (hashed) IP."""
    subject = hashed(ip)
    limit = current_app.config["FEEDBACK_PER_IP_PER_HOUR"]
    wait = retry_after(db, FEEDBACK_BUCKET, subject, limit=limit, window=FEEDBACK_WINDOW)
    if wait:
        raise Throttled(
            _("You have sent several messages in the last hour. Please try again later."),
            retry_after_s=wait,
        )
    hit(db, FEEDBACK_BUCKET, subject, window=FEEDBACK_WINDOW)
    feedback = Feedback(
        name=fields.get("name", "").strip()[:200],
        email=fields.get("email", "").strip()[:254],
        kind=fields["kind"],
        message=fields["message"].strip(),
        page_url=fields.get("page_url", "")[:500],
        ip_hash=subject[:64],
    )
    return add_audited(db, feedback, "feedback.created", label=feedback.email or feedback.kind)


def recent_feedback(db: Session, limit: int = 100) -> list[Feedback]:
    """The newest feedback messages, for staff."""
    return list(db.exec(select(Feedback).order_by(Feedback.id.desc()).limit(limit)).all())
