"""The partner dashboard (/me), personal API tokens, the calendar feed and the public partner list."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from portal import db
from portal.accounts import services as accounts
from portal.accounts.models import ApiToken, Organization, User
from portal.agreements import services as agreements
from portal.agreements.forms import KIND_LABELS, MILESTONE_KIND_LABELS
from portal.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementStatus,
    AgreementTechnology,
    Milestone,
    MilestoneEvidence,
)
from portal.catalog.models import Technology
from portal.partners import bp
from portal.partners import services as partners
from portal.partners.forms import TokenForm


@bp.get("/me")
def dashboard():
    """What the signed-in partner's organisation has with the CoE."""
    session = db.session()
    today = agreements.local_today()
    organization = session.get(Organization, current_user.organization_id)
    visible = agreements.partner_agreements_clause(current_user)
    agreement_rows = session.exec(
        select(Agreement).where(visible).order_by(Agreement.created_at.desc(), Agreement.id.desc())
    ).all()
    milestones = session.exec(
        select(Milestone, Agreement.reference)
        .join(Agreement, Agreement.id == Milestone.agreement_id)
        .where(visible)
        .order_by(Milestone.due_on, Milestone.id)
    ).all()
    horizon = today + timedelta(days=30)
    due_soon = [
        (m, ref)
        for m, ref in milestones
        if today <= m.due_on <= horizon and m.status not in ("accepted", "waived")
    ]
    documents = session.exec(
        select(AgreementDocument, Agreement.reference)
        .join(Agreement, Agreement.id == AgreementDocument.agreement_id)
        .where(visible)
        .order_by(AgreementDocument.created_at.desc(), AgreementDocument.id.desc())
    ).all()
    submissions = session.exec(
        select(MilestoneEvidence, Milestone, User.name)
        .join(Milestone, Milestone.id == MilestoneEvidence.milestone_id)
        .join(Agreement, Agreement.id == Milestone.agreement_id)
        .outerjoin(User, User.id == MilestoneEvidence.submitted_by_id)
        .where(visible)
        .order_by(MilestoneEvidence.created_at.desc(), MilestoneEvidence.id.desc())
        .limit(50)
    ).all()
    return render_template(
        "partners/dashboard.html",
        organization=organization,
        agreements=agreement_rows,
        milestones=milestones,
        due_soon=due_soon,
        documents=documents,
        submissions=submissions,
        today=today,
        effective_status=agreements.effective_status,
        kind_labels=KIND_LABELS,
        milestone_kind_labels=MILESTONE_KIND_LABELS,
    )


# --- personal API tokens ---------------------------------------------------------------------


def _tokens_page(form: TokenForm, new_token: str | None = None, status: int = 200):
    tokens = (
        db.session()
        .exec(
            select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id.desc())
        )
        .all()
    )
    return render_template(
        "partners/tokens.html", form=form, tokens=tokens, new_token=new_token
    ), status


@bp.get("/me/tokens")
def tokens():
    """The user's personal API tokens and a form for a new one."""
    return _tokens_page(TokenForm())


@bp.post("/me/tokens")
def token_create():
    """Create a token; its value is shown on this response only, never again."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, status=400)
    _token, raw = accounts.create_api_token(
        db.session(), current_user._get_current_object(), form.name.data
    )
    return _tokens_page(TokenForm(formdata=None), new_token=raw)


@bp.post("/me/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int):
    """Revoke one of one's own tokens (another user's token id answers 404)."""
    token = db.session().get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    accounts.revoke_api_token(db.session(), token)
    flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("partners.tokens"), code=303)


# --- calendar feed ---------------------------------------------------------------------------


@bp.get("/me/calendar")
def calendar():
    """Whether the user has a calendar feed, and buttons to make a new one or revoke it."""
    feed = partners.active_feed(db.session(), current_user)
    return render_template("partners/calendar.html", feed=feed, feed_url=None)


@bp.post("/me/calendar")
def calendar_create():
    """A new secret feed URL (any earlier one stops working); shown once."""
    feed, raw = partners.create_calendar_feed(db.session(), current_user._get_current_object())
    # The public address, as calendar apps outside the network must reach it.
    feed_url = current_app.config["BASE_URL"].rstrip("/") + url_for(
        "partners.calendar_feed", secret=raw
    )
    return render_template("partners/calendar.html", feed=feed, feed_url=feed_url)


@bp.post("/me/calendar/revoke")
def calendar_revoke():
    """Revoke the feed URL: calendar apps using it get 404 from now on."""
    partners.revoke_calendar_feed(db.session(), current_user._get_current_object())
    flash(_("Your calendar link is revoked."), "success")
    return redirect(url_for("partners.calendar"), code=303)


@bp.get("/calendar/<secret>.ics")
def calendar_feed(secret: str):
    """The iCalendar feed behind a secret URL (no cookie: calendar apps fetch it on their own)."""
    session = db.session()
    user = partners.user_for_calendar_secret(session, secret)
    if user is None:
        abort(404)
    body = partners.build_calendar(partners.milestones_for(session, user))
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="milestones.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- public list -----------------------------------------------------------------------------


@bp.get("/partners")
def public_list():
    """Organisations with publicly announced agreements, and the technologies involved."""
    session = db.session()
    today = agreements.local_today()
    announced = (
        Agreement.is_announced,
        Organization.is_public,
        agreements.active_agreement_clause(today)
        | Agreement.status.in_((AgreementStatus.SIGNED, AgreementStatus.COMPLETED)),
    )
    rows = session.exec(
        select(Organization, Agreement.id, Agreement.kind)
        .join(Agreement, Agreement.organization_id == Organization.id)
        .where(*announced)
        .order_by(Organization.name, Agreement.id)
    ).all()
    tech_rows = session.exec(
        select(Agreement.organization_id, Technology)
        .join(AgreementTechnology, AgreementTechnology.agreement_id == Agreement.id)
        .join(Technology, Technology.id == AgreementTechnology.technology_id)
        .join(Organization, Organization.id == Agreement.organization_id)
        .where(*announced)
        .order_by(Technology.title)
    ).all()
    partners_by_id: dict[int, dict] = {}
    for organization, _agreement_id, kind in rows:
        entry = partners_by_id.setdefault(
            organization.id, {"organization": organization, "kinds": [], "technologies": []}
        )
        if kind not in entry["kinds"]:
            entry["kinds"].append(kind)
    for organization_id, technology in tech_rows:
        entry = partners_by_id.get(organization_id)
        if (
            entry is not None
            and technology.is_public
            and all(t.id != technology.id for t in entry["technologies"])
        ):
            entry["technologies"].append(technology)
    return render_template(
        "partners/public_list.html", partners=list(partners_by_id.values()), kind_labels=KIND_LABELS
    )
