"""Staff pages for agreements and milestones (/admin/agreements, /admin/milestones): lists, drafting
and editing, status changes, document uploads and milestone decisions."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import db
from portal.agreements import bp, queries, services, versions
from portal.agreements.confirmations import confirmation_for
from portal.agreements.consistency import milestone_warnings
from portal.agreements.documents import add_document
from portal.agreements.forms import (
    AgreementEditForm,
    AgreementForm,
    DocumentForm,
    MilestoneForm,
    TransitionForm,
)
from portal.agreements.labels import status_in_words
from portal.agreements.loaders import agreement_of, get_agreement_or_404, get_milestone_or_404
from portal.agreements.models import Agreement
from portal.agreements.queries import MILESTONE_STATUSES, AgreementFilters, MilestoneFilters
from portal.agreements.status import allowed_transitions
from portal.agreements.views import agreement_context
from portal.dates import local_today
from portal.editing import Submitted, act, save_edit
from portal.errors import ServiceError
from portal.formdata import submitted_version
from portal.htmx import is_htmx, render
from portal.modelforms import form_values
from portal.pagination import paginate


def _back_to(agreement_id: int):
    return redirect(url_for("agreements.admin_detail", agreement_id=agreement_id), code=303)


def _transition(service, record, form: TransitionForm) -> None:
    """Apply a status change form to an agreement or a milestone, from the version shown."""
    service(
        db.session(),
        record,
        form.to_status.data,
        version=submitted_version(form.version),
        reason=form.reason.data or "",
    )


def _message(submitted: Submitted) -> str | None:
    return submitted.refused.message if submitted.refused else None


# --- agreements: list ------------------------------------------------------------------------


@bp.get("/admin/agreements")
def admin_index():
    """Every agreement, filterable by status, kind, organisation, expiry window and text."""
    today = local_today()
    filters = AgreementFilters.from_args(request.args)
    query = queries.admin_agreements_query(filters, today)
    return render(
        "agreements/admin_index.html",
        "agreements/_admin_table.html",
        listing=paginate(db.session(), query, request.args.get("page")),
        filters=filters,
        organizations=queries.organizations(db.session()),
        today=today,
    )


# --- agreements: create and edit -------------------------------------------------------------


def _fill_choices(form: AgreementForm) -> None:
    session = db.session()
    form.organization_id.choices = [(0, _("— choose —"))] + [
        (o.id, o.name) for o in queries.organizations(session)
    ]
    form.responsible_staff_id.choices = [(0, _("— nobody yet —"))] + [
        (u.id, f"{u.name} <{u.email}>") for u in queries.active_staff(session)
    ]
    form.technology_ids.choices = queries.technology_choices(session)


def _agreement_changes(form: AgreementForm) -> dict:
    values = form_values(form)
    # "— choose —" and "— nobody yet —" are 0 in the menus.
    values["organization_id"] = values["organization_id"] or None
    values["responsible_staff_id"] = values["responsible_staff_id"] or None
    return values


@bp.route("/admin/agreements/new", methods=["GET", "POST"])
def admin_create():
    """Draft a new agreement."""
    form = AgreementForm()
    _fill_choices(form)
    error = None
    if form.validate_on_submit():
        try:
            agreement = services.create_agreement(
                db.session(),
                reference=form.reference.data or "",
                technology_ids=form.technology_ids.data or [],
                **_agreement_changes(form),
            )
        except ServiceError as refused:
            error = refused.message
        else:
            flash(_("Agreement %(ref)s drafted.", ref=agreement.reference), "success")
            return redirect(url_for("agreements.admin_detail", agreement_id=agreement.id))
    page = render_template("agreements/admin_form.html", form=form, agreement=None, error=error)
    return page, (400 if error else 200)


@bp.route("/admin/agreements/<int:agreement_id>/edit", methods=["GET", "POST"])
def admin_edit(agreement_id: int):
    """Edit an agreement's details; a concurrent save is reported as a conflict."""
    agreement = get_agreement_or_404(agreement_id, current_user)
    form = AgreementEditForm(obj=agreement)
    _fill_choices(form)
    if request.method == "GET":
        form.version.data = agreement.version
        form.technology_ids.data = services.technology_ids_of(db.session(), agreement)
        form.responsible_staff_id.data = agreement.responsible_staff_id or 0
    submitted = save_edit(
        form,
        lambda version: services.update_agreement(
            db.session(),
            agreement,
            version=version,
            technology_ids=form.technology_ids.data or [],
            **_agreement_changes(form),
        ),
        saved=_("Agreement saved."),
        then=url_for("agreements.admin_detail", agreement_id=agreement.id),
    )
    if submitted.response:
        return submitted.response
    page = render_template(
        "agreements/admin_form.html", form=form, agreement=agreement, error=_message(submitted)
    )
    return page, submitted.status


# --- agreements: detail, status, documents ---------------------------------------------------


def _detail_page(agreement: Agreement, **overrides):
    open_milestones, grants = queries.termination_counts(db.session(), agreement)
    shown = agreement_context(agreement)
    context = {
        **shown,
        "responsible": queries.responsible_of(db.session(), agreement),
        "document_form": DocumentForm(),
        "milestone_form": MilestoneForm(),
        "history": versions.timeline(db.session(), agreement, for_partner=False),
        "follow_ups": versions.follow_ups_for(agreement),
        "confirmations": {
            target: confirmation_for(
                agreement, target, open_milestones, grants, shown["organization"].name
            )
            for target in allowed_transitions(agreement)
        },
    }
    return render_template("agreements/admin_detail.html", **{**context, **overrides})


@bp.get("/admin/agreements/<int:agreement_id>")
def admin_detail(agreement_id: int):
    """An agreement with its documents and milestones, and the staff actions on them."""
    return _detail_page(get_agreement_or_404(agreement_id, current_user))


@bp.post("/admin/agreements/<int:agreement_id>/status")
def admin_transition(agreement_id: int):
    """Move the agreement to another status (only legal steps, from the version shown)."""
    agreement = get_agreement_or_404(agreement_id, current_user)
    form = TransitionForm()
    if not form.validate_on_submit():
        flash(_("Choose a status."), "error")
        return _back_to(agreement_id)
    return act(
        lambda: _transition(services.transition_agreement, agreement, form),
        done=lambda _moved: _(
            "%(ref)s is now %(status)s.",
            ref=agreement.reference,
            status=status_in_words(agreement.status),
        ),
        back=url_for("agreements.admin_detail", agreement_id=agreement_id),
        code=303,
    )


@bp.post("/admin/agreements/<int:agreement_id>/follow-up")
def admin_follow_up(agreement_id: int):
    """Draft a renewal or an amendment of this agreement and open it for editing."""
    agreement = get_agreement_or_404(agreement_id, current_user)
    try:
        draft = versions.derive_agreement(db.session(), agreement, request.form.get("kind", ""))
    except ServiceError as refused:
        flash(refused.message, "error")
        return _back_to(agreement_id)
    flash(
        _(
            "%(ref)s drafted from %(previous)s: check its terms and dates.",
            ref=draft.reference,
            previous=agreement.reference,
        ),
        "success",
    )
    return redirect(url_for("agreements.admin_edit", agreement_id=draft.id), code=303)


@bp.post("/admin/agreements/<int:agreement_id>/documents")
def admin_document_upload(agreement_id: int):
    """Upload a new version of the agreement's document (signed copy, amendment)."""
    agreement = get_agreement_or_404(agreement_id, current_user)
    form = DocumentForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        flash(_("Choose a file to upload."), "error")
        return _back_to(agreement_id)
    try:
        document = add_document(
            db.session(),
            agreement,
            upload.stream,
            upload.filename,
            title=form.title.data or "",
            uploaded_by=current_user,
        )
    except ServiceError as refused:
        return _detail_page(agreement, document_form=form, upload_error=refused.message), (
            refused.status
        )
    flash(_("Version %(v)d uploaded.", v=document.version), "success")
    return _back_to(agreement_id)


# --- milestones ------------------------------------------------------------------------------


def _flash_date_warnings(agreement: Agreement, milestone) -> None:
    for warning in milestone_warnings(agreement, milestone):
        flash(warning, "warning")


def _milestones_response(agreement: Agreement, form: MilestoneForm | None = None, error=None):
    """The milestones section alone for htmx, else back to the agreement page."""
    if is_htmx():
        return render(
            "agreements/admin_detail.html",
            "agreements/_milestones.html",
            milestone_form=form or MilestoneForm(formdata=None),
            milestone_error=error,
            **agreement_context(agreement),
        ), (400 if error else 200)
    if error:
        flash(error, "error")
    return _back_to(agreement.id)


@bp.post("/admin/agreements/<int:agreement_id>/milestones")
def admin_milestone_create(agreement_id: int):
    """Add a milestone (inline with htmx; a plain form post works too)."""
    agreement = get_agreement_or_404(agreement_id, current_user)
    form = MilestoneForm()
    if not form.validate_on_submit():
        errors = "; ".join(
            f"{form[name].label.text}: {messages[0]}" for name, messages in form.errors.items()
        )
        return _milestones_response(agreement, form, errors or _("Check the milestone."))
    try:
        milestone = services.create_milestone(db.session(), agreement, **form_values(form))
    except ServiceError as refused:
        return _milestones_response(agreement, form, refused.message)
    if not is_htmx():
        flash(_("Milestone added."), "success")
        _flash_date_warnings(agreement, milestone)
    return _milestones_response(agreement)


@bp.route("/admin/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
def admin_milestone_edit(milestone_id: int):
    """Edit a milestone's details (optimistic locking on its version)."""
    milestone = get_milestone_or_404(milestone_id, current_user)
    agreement = agreement_of(milestone)
    form = MilestoneForm(obj=milestone)
    if request.method == "GET":
        form.version.data = milestone.version
    submitted = save_edit(
        form,
        lambda version: services.update_milestone(
            db.session(), milestone, version=version, **form_values(form)
        ),
        saved=_("Milestone saved."),
        then=url_for("agreements.admin_detail", agreement_id=agreement.id),
    )
    if submitted.response:
        _flash_date_warnings(agreement, milestone)
        return submitted.response
    page = render_template(
        "agreements/admin_milestone_form.html",
        form=form,
        milestone=milestone,
        agreement=agreement,
        error=_message(submitted),
    )
    return page, submitted.status


@bp.post("/admin/milestones/<int:milestone_id>/status")
def admin_milestone_transition(milestone_id: int):
    """Start, accept, reject (with a reason) or waive a milestone, from the version shown."""
    milestone = get_milestone_or_404(milestone_id, current_user)
    agreement = agreement_of(milestone)
    form = TransitionForm()
    if not form.validate_on_submit():
        return _milestones_response(agreement, error=_("Choose a status."))
    try:
        _transition(services.transition_milestone, milestone, form)
    except ServiceError as refused:
        return _milestones_response(agreement, error=refused.message)
    if not is_htmx():
        flash(
            _(
                "Milestone “%(t)s” is now %(s)s.",
                t=milestone.title,
                s=status_in_words(milestone.status),
            ),
            "success",
        )
        _flash_date_warnings(agreement, milestone)
    if request.form.get("next") == "milestone":
        return redirect(url_for("agreements.milestone_detail", milestone_id=milestone.id), code=303)
    return _milestones_response(agreement)


@bp.get("/admin/milestones")
def admin_milestones():
    """Milestones of every agreement, filterable by status, kind, owner, due window and overdue."""
    today = local_today()
    filters = MilestoneFilters.from_args(request.args)
    query = queries.admin_milestones_query(filters, today)
    return render_template(
        "agreements/admin_milestones.html",
        page=paginate(db.session(), query, request.args.get("page")),
        filters=filters,
        statuses=MILESTONE_STATUSES,
        today=today,
    )
