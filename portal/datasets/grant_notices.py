"""Who hears about grants: the organisation's users when a grant is given, and when it lapses
(its end date passed, its agreement ended, or staff revoked it). Once each."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, or_
from sqlmodel import Session, select

from portal.agreements.models import Agreement
from portal.agreements.status import FINISHED_STATUSES
from portal.datasets.models import Dataset, DatasetGrant
from portal.dates import local_today
from portal.notifications.services import notify, partner_users


def _tell_organisation(db: Session, grant: DatasetGrant, event: str, **message) -> list:
    # One notification per grant and event (given, lapsed), to the organisation's users.
    users = partner_users(db, grant.organization_id)
    return notify(db, users, key=f"grant.{grant.id}.{event}", kind=f"grant_{event}", **message)


def grant_given(db: Session, grant: DatasetGrant, dataset: Dataset) -> None:
    """Tell the organisation's users that a dataset is now open to them."""
    until = grant.expires_on
    _tell_organisation(
        db,
        grant,
        "given",
        subject=_("You now have access to the dataset “%(title)s”", title=dataset.title),
        body=_("Until %(on)s.", on=until.strftime("%d-%m-%Y")) if until else "",
        link=("datasets.detail", {"slug": dataset.slug}),
    )


def grant_lapsed(db: Session, grant: DatasetGrant, dataset: Dataset) -> int:
    """Tell the organisation's users that their access to a dataset ended."""
    subject = _("Your access to the dataset “%(title)s” has ended", title=dataset.title)
    body = _("Ask the CoE team if you need it again.")
    return len(_tell_organisation(db, grant, "lapsed", subject=subject, body=body))


def send_lapse_notices(db: Session, today: date | None = None) -> int:
    """Notify every grant that lapsed by `today` and was not notified yet; returns how many."""
    today = today or local_today()
    # A grant under an agreement that is over (not one that has yet to start) has lapsed.
    agreement_over = exists(
        select(Agreement.id).where(
            Agreement.id == DatasetGrant.agreement_id,
            Agreement.status_on(today).in_(FINISHED_STATUSES),
        )
    )
    rows = db.exec(
        select(DatasetGrant, Dataset)
        .join(Dataset, Dataset.id == DatasetGrant.dataset_id)
        .where(
            DatasetGrant.revoked_at.is_(None),
            or_(
                DatasetGrant.expires_on < today,
                agreement_over,
            ),
        )
        .order_by(DatasetGrant.id)
    ).all()
    made = 0
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        for grant, dataset in rows:
            made += grant_lapsed(db, grant, dataset)
    return made
