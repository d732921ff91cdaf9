"""Access requests: the public card of a dataset one may not open (with "Request access" for
partners), and the staff page that approves (a grant under an agreement) or declines them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from portal import db
from portal.accounts.models import Organization, User
from portal.agreements.models import Agreement
from portal.datasets import bp
from portal.datasets.access_requests import (
    approve_request,
    card_of,
    decline_request,
    request_access,
    terms_version,
)
from portal.datasets.loaders import get_card_or_404
from portal.datasets.models import AccessRequest, Dataset
from portal.dates import EARLIEST, LATEST, parse_iso_date
from portal.editing import act
from portal.errors import ServiceError
from portal.formatting import format_date
from portal.formdata import parse_int
from portal.vocabulary import AccessRequestStatus


def access_card(dataset: Dataset, error: str | None = None, status: int = 200):
    """The card of a dataset the viewer may not open: its shape and terms, never its data."""
    session = db.session()
    mine = None
    if current_user.is_authenticated and current_user.is_partner:
        mine = session.exec(
            select(AccessRequest)
            .where(
                AccessRequest.dataset_id == dataset.id,
                AccessRequest.organization_id == current_user.organization_id,
            )
            .order_by(AccessRequest.created_at.desc(), AccessRequest.id.desc())
        ).first()
    return (
        render_template(
            "datasets/card.html",
            dataset=dataset,
            card=card_of(session, dataset),
            mine=mine,
            terms=terms_version(dataset),
            error=error,
            purpose=request.form.get("purpose", "") if request.method == "POST" else "",
        ),
        status,
    )


@bp.post("/datasets/<slug>/access-request")
def access_request(slug: str):
    """A partner asks for the dataset, accepting its terms."""
    dataset = get_card_or_404(slug)
    try:
        request_access(
            db.session(),
            dataset,
            current_user._get_current_object(),
            purpose=request.form.get("purpose", ""),
            accepted_terms=request.form.get("accept_terms") == terms_version(dataset),
        )
    except ServiceError as refused:
        return access_card(dataset, refused.message, refused.status)
    flash(_("Your request is sent. You will be told when it is decided."), "success")
    return redirect(url_for("datasets.detail", slug=dataset.slug), code=303)


@bp.get("/admin/access-requests")
def admin_access_requests():
    """Every access request, waiting ones first, with the agreements each could be granted under."""
    session = db.session()
    rows = session.exec(
        select(AccessRequest, Dataset, Organization, User)
        .join(Dataset, Dataset.id == AccessRequest.dataset_id)
        .join(Organization, Organization.id == AccessRequest.organization_id)
        .outerjoin(User, User.id == AccessRequest.requester_id)
        .order_by(
            (AccessRequest.status != AccessRequestStatus.PENDING), AccessRequest.created_at.desc()
        )
    ).all()
    org_ids = {org.id for _r, _d, org, _u in rows}
    agreements: dict[int, list[Agreement]] = {}
    for agreement in session.exec(
        select(Agreement)
        .where(Agreement.organization_id.in_(org_ids or {0}))
        .order_by(Agreement.reference)
    ).all():
        agreements.setdefault(agreement.organization_id, []).append(agreement)
    return render_template("datasets/admin_access_requests.html", rows=rows, agreements=agreements)


def _request_or_404(request_id: int) -> AccessRequest:
    access = db.session().get(AccessRequest, request_id)
    if access is None:
        abort(404)
    return access


def _back_to_requests():
    return redirect(url_for("datasets.admin_access_requests"), code=303)


def _decide(decision, access: AccessRequest, done: str, **details):
    """Apply a staff decision to a request from the version shown, then back to the list."""
    return act(
        lambda: decision(
            db.session(),
            access,
            version=parse_int(request.form.get("version")),
            actor=current_user._get_current_object(),
            **details,
        ),
        done=done,
        back=url_for("datasets.admin_access_requests"),
        code=303,
    )


@bp.post("/admin/access-requests/<int:request_id>/approve")
def admin_access_approve(request_id: int):
    """Approve: grant the dataset under the chosen agreement (until a date, if given)."""
    access = _request_or_404(request_id)
    raw_expiry = (request.form.get("expires_on") or "").strip()
    expires_on = parse_iso_date(raw_expiry)
    if raw_expiry and expires_on is None:
        flash(
            _(
                "Not approved: enter the end date as DD-MM-YYYY, between %(first)s and %(last)s.",
                first=format_date(EARLIEST),
                last=format_date(LATEST),
            ),
            "error",
        )
        return _back_to_requests()
    return _decide(
        approve_request,
        access,
        _("Approved: the organisation now has access."),
        agreement_id=parse_int(request.form.get("agreement_id")),
        expires_on=expires_on,
    )


@bp.post("/admin/access-requests/<int:request_id>/decline")
def admin_access_decline(request_id: int):
    """Decline with a reason the requester reads."""
    access = _request_or_404(request_id)
    reason = request.form.get("reason", "")
    return _decide(
        decline_request, access, _("Declined; the requester has been told why."), reason=reason
    )
