"""Who hears what about agreements: evidence submitted (staff), evidence accepted or rejected
(partner), and 90, 30 and 7 days before an agreement expires (partner and staff). Each goes
through `notify` with a key that makes it happen once. A new notification rule is an edit here.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session, select

from portal.agreements.models import Agreement, Milestone
from portal.agreements.status import live_agreement_clause
from portal.dates import days_band, local_today
from portal.notifications.services import notify, partner_users, staff_for
from portal.vocabulary import MilestoneStatus

EXPIRY_DAYS = (90, 30, 7)


def evidence_submitted(db: Session, milestone: Milestone, agreement: Agreement, evidence_id: int):
    """Tell the responsible staff member (or every staff member) that evidence came in."""
    notify(
        db,
        staff_for(db, agreement.responsible_staff_id),
        key=f"evidence.{evidence_id}.submitted",
        kind="evidence_submitted",
        subject=_(
            "Evidence submitted for “%(title)s” (%(ref)s)",
            title=milestone.title,
            ref=agreement.reference,
        ),
        body=_("Review it and accept or reject the milestone."),
        link=("agreements.milestone_detail", {"milestone_id": milestone.id}),
    )


def milestone_decided(db: Session, milestone: Milestone, agreement: Agreement, reason: str):
    """Tell the partner that their evidence was accepted or rejected (and why)."""
    if milestone.status == MilestoneStatus.ACCEPTED:
        subject = _(
            "Accepted: “%(title)s” (%(ref)s)", title=milestone.title, ref=agreement.reference
        )
    else:
        subject = _(
            "Rejected: “%(title)s” (%(ref)s)", title=milestone.title, ref=agreement.reference
        )
    notify(
        db,
        partner_users(db, agreement.organization_id),
        # The version makes a second rejection after a new submission a new notification.
        key=f"milestone.{milestone.id}.{milestone.status}.v{milestone.version}",
        kind=f"milestone_{milestone.status}",
        subject=subject,
        body=reason,
        link=("agreements.milestone_detail", {"milestone_id": milestone.id}),
    )


def expiry_threshold(expires_on: date, today: date) -> int | None:
    """Which warning (90, 30 or 7 days before) an agreement expiring on `expires_on` is in for."""
    return days_band(expires_on, today, EXPIRY_DAYS)


def send_expiry_warnings(db: Session, today: date | None = None) -> int:
    """Warn partner users and staff 90, 30 and 7 days before a live agreement expires (once each)."""
    today = today or local_today()
    agreements = db.exec(
        select(Agreement)
        .where(
            live_agreement_clause(today),
            Agreement.expires_on.is_not(None),
            Agreement.expires_on >= today,
            Agreement.expires_on <= today + timedelta(days=max(EXPIRY_DAYS)),
        )
        .order_by(Agreement.expires_on, Agreement.id)
    ).all()
    made = 0
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        for agreement in agreements:
            threshold = expiry_threshold(agreement.expires_on, today)
            if threshold is None:
                continue
            people = partner_users(db, agreement.organization_id) + staff_for(
                db, agreement.responsible_staff_id
            )
            made += len(
                notify(
                    db,
                    people,
                    # The expiry date is in the key: a renewed agreement is warned afresh.
                    key=f"agreement.{agreement.id}.expiry.{agreement.expires_on}.{threshold}",
                    kind="agreement_expiry",
                    subject=_(
                        "%(ref)s expires in %(days)s day(s), on %(on)s",
                        ref=agreement.reference,
                        days=(agreement.expires_on - today).days,
                        on=agreement.expires_on.strftime("%d-%m-%Y"),
                    ),
                    body=_("Renew or amend it before then if the work goes on."),
                    link=("agreements.detail", {"agreement_id": agreement.id}),
                )
            )
    return made
