"""Staff pages for agreements and milestones (/admin/agreements), and the pages partners share."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import func, select

from portal import db
from portal.accounts.models import Organization, User
from portal.agreements import bp, files, services
from portal.agreements.forms import (
    KIND_LABELS,
    MILESTONE_KIND_LABELS,
    AgreementEditForm,
    AgreementForm,
    DocumentForm,
    EvidenceForm,
    MilestoneForm,
    MilestoneTransitionForm,
    TransitionForm,
)
from portal.agreements.models import (
    CLOSED_MILESTONE_STATUSES,
    Agreement,
    AgreementDocument,
    AgreementKind,
    AgreementStatus,
    AgreementTechnology,
    Milestone,
    MilestoneEvent,
    MilestoneEvidence,
    MilestoneKind,
    MilestoneStatus,
)
from portal.catalog.models import Technology
from portal.datasets import access as datasets_access
from portal.errors import ConflictError, ServiceError
from portal.formdata import parse_int, submitted_version
from portal.htmx import is_htmx, render
from portal.pagination import paginate

MAX_EXPIRING_DAYS = 3650


def _label_context() -> dict:
    return {"kind_labels": KIND_LABELS, "milestone_kind_labels": MILESTONE_KIND_LABELS}


# --- staff: list -----------------------------------------------------------------------------


@bp.get("/admin/agreements")
def admin_index():
    """Every agreement, filterable by status, kind, organisation and expiry window."""
    today = services.local_today()
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    org_id = parse_int(request.args.get("org"))
    expiring = parse_int(request.args.get("expiring"))
    q = request.args.get("q", "").strip()[:100]
    overdue = (
        select(Milestone.agreement_id, func.count(Milestone.id).label("overdue"))
        .where(services.milestone_overdue_clause(today))
        .group_by(Milestone.agreement_id)
        .subquery()
    )
    query = (
        select(Agreement, Organization.name, func.coalesce(overdue.c.overdue, 0))
        .join(Organization, Organization.id == Agreement.organization_id)
        .outerjoin(overdue, overdue.c.agreement_id == Agreement.id)
        .order_by(Agreement.created_at.desc(), Agreement.id.desc())
    )
    if status in set(AgreementStatus):
        query = query.where(services.effective_status_clause(status, today))
    else:
        status = ""
    if kind in set(AgreementKind):
        query = query.where(Agreement.kind == kind)
    else:
        kind = ""
    if org_id:
        query = query.where(Agreement.organization_id == org_id)
    if expiring is not None and 0 <= expiring <= MAX_EXPIRING_DAYS:
        query = query.where(
            services.active_agreement_clause(today),
            Agreement.expires_on <= today + timedelta(days=expiring),
        )
    else:
        expiring = None
    if q:
        like = f"%{q}%"
        query = query.where(Agreement.reference.ilike(like) | Agreement.title.ilike(like))
    page = paginate(db.session(), query, request.args.get("page"))
    organizations = db.session().exec(select(Organization).order_by(Organization.name)).all()
    args = {
        k: v
        for k, v in {
            "status": status,
            "kind": kind,
            "org": org_id,
            "expiring": expiring,
            "q": q,
        }.items()
        if v not in ("", None)
    }
    return render(
        "agreements/admin_index.html",
        "agreements/_admin_table.html",
        listing=page,
        filters=args,
        status=status,
        kind=kind,
        org_id=org_id,
        expiring=expiring,
        q=q,
        organizations=organizations,
        statuses=list(AgreementStatus),
        effective_status=services.effective_status,
        today=today,
        **_label_context(),
    )


# --- staff: create and edit ------------------------------------------------------------------


def _fill_choices(form: AgreementForm) -> None:
    session = db.session()
    organizations = session.exec(select(Organization).order_by(Organization.name)).all()
    form.organization_id.choices = [(0, _("— choose —"))] + [(o.id, o.name) for o in organizations]
    staff = session.exec(
        select(User).where(User.role.in_(("staff", "admin")), User.is_active).order_by(User.name)
    ).all()
    form.responsible_staff_id.choices = [(0, _("— nobody yet —"))] + [
        (u.id, f"{u.name} <{u.email}>") for u in staff
    ]
    technologies = session.exec(select(Technology).order_by(Technology.title)).all()
    form.technology_ids.choices = [(t.id, t.title) for t in technologies]


def _agreement_fields(form: AgreementForm) -> dict:
    return {
        "title": (form.title.data or "").strip(),
        "kind": form.kind.data,
        "organization_id": form.organization_id.data or None,
        "responsible_staff_id": form.responsible_staff_id.data or None,
        "scope": form.scope.data or "",
        "exclusivity": form.exclusivity.data or "",
        "field_of_use": (form.field_of_use.data or "").strip(),
        "territory": (form.territory.data or "").strip(),
        "royalty_text": (form.royalty_text.data or "").strip(),
        "royalty_pct": form.royalty_pct.data,
        "signed_on": form.signed_on.data,
        "effective_on": form.effective_on.data,
        "expires_on": form.expires_on.data,
        "is_announced": bool(form.is_announced.data),
    }


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
                **_agreement_fields(form),
            )
        except ServiceError as refused:
            db.rollback()
            error = refused.message
        else:
            flash(_("Agreement %(ref)s drafted.", ref=agreement.reference), "success")
            return redirect(url_for("agreements.admin_detail", agreement_id=agreement.id))
    return render_template("agreements/admin_form.html", form=form, agreement=None, error=error), (
        400 if error else 200
    )


@bp.route("/admin/agreements/<int:agreement_id>/edit", methods=["GET", "POST"])
def admin_edit(agreement_id: int):
    """Edit an agreement's details; a concurrent save is reported as a conflict."""
    session = db.session()
    agreement = services.get_agreement_or_404(agreement_id, current_user)
    form = AgreementEditForm(obj=agreement)
    _fill_choices(form)
    if request.method == "GET":
        form.version.data = agreement.version
        form.technology_ids.data = services.technology_ids_of(session, agreement)
        form.organization_id.data = agreement.organization_id
        form.responsible_staff_id.data = agreement.responsible_staff_id or 0
    error, status = None, 200
    if form.validate_on_submit():
        try:
            services.update_agreement(
                session,
                agreement,
                version=submitted_version(form.version),
                technology_ids=form.technology_ids.data or [],
                **_agreement_fields(form),
            )
        except ServiceError as refused:
            db.rollback()
            error, status = refused.message, refused.status
            if isinstance(refused, ConflictError):
                session.refresh(agreement)
        else:
            flash(_("Agreement saved."), "success")
            return redirect(url_for("agreements.admin_detail", agreement_id=agreement.id))
    elif request.method == "POST":
        status = 400
    return render_template(
        "agreements/admin_form.html", form=form, agreement=agreement, error=error
    ), status


# --- staff: detail, status, documents, milestones --------------------------------------------


def _detail_context(agreement: Agreement) -> dict:
    session = db.session()
    today = services.local_today()
    organization = session.get(Organization, agreement.organization_id)
    technologies = session.exec(
        select(Technology)
        .join(AgreementTechnology, AgreementTechnology.technology_id == Technology.id)
        .where(AgreementTechnology.agreement_id == agreement.id)
        .order_by(Technology.title)
    ).all()
    documents = session.exec(
        select(AgreementDocument)
        .where(AgreementDocument.agreement_id == agreement.id)
        .order_by(AgreementDocument.version.desc())
    ).all()
    milestones = session.exec(
        select(Milestone)
        .where(Milestone.agreement_id == agreement.id)
        .order_by(Milestone.due_on, Milestone.id)
    ).all()
    responsible = (
        session.get(User, agreement.responsible_staff_id)
        if agreement.responsible_staff_id
        else None
    )
    return {
        "agreement": agreement,
        "organization": organization,
        "technologies": technologies,
        "documents": documents,
        "milestones": milestones,
        "responsible": responsible,
        "status": services.effective_status(agreement, today),
        "transitions": services.allowed_transitions(agreement, today),
        "milestone_transitions": services.allowed_milestone_transitions,
        "today": today,
        **_label_context(),
    }


@bp.get("/admin/agreements/<int:agreement_id>")
def admin_detail(agreement_id: int):
    """An agreement with its documents and milestones, and the staff actions on them."""
    agreement = services.get_agreement_or_404(agreement_id, current_user)
    return render_template(
        "agreements/admin_detail.html",
        document_form=DocumentForm(),
        milestone_form=MilestoneForm(),
        **_detail_context(agreement),
    )


@bp.post("/admin/agreements/<int:agreement_id>/status")
def admin_transition(agreement_id: int):
    """Move the agreement to another status (only legal steps)."""
    agreement = services.get_agreement_or_404(agreement_id, current_user)
    form = TransitionForm()
    if not form.validate_on_submit():
        flash(_("Choose a status."), "error")
    else:
        try:
            services.transition_agreement(
                db.session(),
                agreement,
                form.to_status.data,
                version=submitted_version(form.version),
                reason=form.reason.data or "",
            )
        except ServiceError as refused:
            db.rollback()
            flash(refused.message, "error")
            return redirect(url_for("agreements.admin_detail", agreement_id=agreement_id), code=303)
        flash(
            _("%(ref)s is now %(status)s.", ref=agreement.reference, status=agreement.status),
            "success",
        )
    return redirect(url_for("agreements.admin_detail", agreement_id=agreement_id), code=303)


@bp.post("/admin/agreements/<int:agreement_id>/documents")
def admin_document_upload(agreement_id: int):
    """Upload a new version of the agreement's document (signed copy, amendment)."""
    agreement = services.get_agreement_or_404(agreement_id, current_user)
    form = DocumentForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        flash(_("Choose a file to upload."), "error")
        return redirect(url_for("agreements.admin_detail", agreement_id=agreement_id), code=303)
    try:
        document = services.add_document(
            db.session(),
            agreement,
            upload.stream,
            upload.filename,
            title=form.title.data or "",
            uploaded_by=current_user,
        )
    except ServiceError as refused:
        db.rollback()
        return render_template(
            "agreements/admin_detail.html",
            document_form=form,
            milestone_form=MilestoneForm(),
            upload_error=refused.message,
            **_detail_context(agreement),
        ), refused.status
    flash(_("Version %(v)d uploaded.", v=document.version), "success")
    return redirect(url_for("agreements.admin_detail", agreement_id=agreement_id), code=303)


def _milestones_response(agreement: Agreement, form: MilestoneForm | None = None, error=None):
    """The milestones section alone for htmx, else back to the agreement page."""
    if is_htmx():
        return render(
            "agreements/admin_detail.html",
            "agreements/_milestones.html",
            milestone_form=form or MilestoneForm(formdata=None),
            milestone_error=error,
            **_detail_context(agreement),
        ), (400 if error else 200)
    if error:
        flash(error, "error")
    return redirect(url_for("agreements.admin_detail", agreement_id=agreement.id), code=303)


@bp.post("/admin/agreements/<int:agreement_id>/milestones")
def admin_milestone_create(agreement_id: int):
    """Add a milestone (inline with htmx; a plain form post works too)."""
    agreement = services.get_agreement_or_404(agreement_id, current_user)
    form = MilestoneForm()
    if not form.validate_on_submit():
        errors = "; ".join(
            f"{form[name].label.text}: {msgs[0]}" for name, msgs in form.errors.items()
        )
        return _milestones_response(agreement, form, errors or _("Check the milestone."))
    try:
        services.create_milestone(
            db.session(),
            agreement,
            title=form.title.data,
            kind=form.kind.data,
            owner=form.owner.data,
            due_on=form.due_on.data,
            amount_inr=form.amount_inr.data,
            description=form.description.data or "",
        )
    except ServiceError as refused:
        db.rollback()
        return _milestones_response(agreement, form, refused.message)
    if not is_htmx():
        flash(_("Milestone added."), "success")
    return _milestones_response(agreement)


@bp.route("/admin/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
def admin_milestone_edit(milestone_id: int):
    """Edit a milestone's details (optimistic locking on its version)."""
    session = db.session()
    milestone = services.get_milestone_or_404(milestone_id, current_user)
    agreement = session.get(Agreement, milestone.agreement_id)
    form = MilestoneForm(obj=milestone)
    if request.method == "GET":
        form.version.data = milestone.version
    error, status = None, 200
    if form.validate_on_submit():
        try:
            services.update_milestone(
                session,
                milestone,
                version=submitted_version(form.version),
                title=form.title.data,
                kind=form.kind.data,
                owner=form.owner.data,
                due_on=form.due_on.data,
                amount_inr=form.amount_inr.data,
                description=form.description.data or "",
            )
        except ServiceError as refused:
            db.rollback()
            error, status = refused.message, refused.status
        else:
            flash(_("Milestone saved."), "success")
            return redirect(url_for("agreements.admin_detail", agreement_id=agreement.id))
    elif request.method == "POST":
        status = 400
    return render_template(
        "agreements/admin_milestone_form.html",
        form=form,
        milestone=milestone,
        agreement=agreement,
        error=error,
    ), status


@bp.post("/admin/milestones/<int:milestone_id>/status")
def admin_milestone_transition(milestone_id: int):
    """Start, accept, reject (with a reason) or waive a milestone."""
    milestone = services.get_milestone_or_404(milestone_id, current_user)
    agreement = db.session().get(Agreement, milestone.agreement_id)
    form = MilestoneTransitionForm()
    if not form.validate_on_submit():
        return _milestones_response(agreement, error=_("Choose a status."))
    try:
        services.transition_milestone(
            db.session(),
            milestone,
            form.to_status.data,
            version=submitted_version(form.version),
            reason=form.reason.data or "",
        )
    except ServiceError as refused:
        db.rollback()
        db.session().refresh(milestone)
        return _milestones_response(agreement, error=refused.message)
    if not is_htmx():
        flash(
            _("Milestone “%(t)s” is now %(s)s.", t=milestone.title, s=milestone.status), "success"
        )
    if request.form.get("next") == "milestone":
        return redirect(url_for("agreements.milestone_detail", milestone_id=milestone.id), code=303)
    return _milestones_response(agreement)


# --- pages partners share (object rule: their own organisation only) -------------------------


@bp.get("/agreements/<int:agreement_id>")
def detail(agreement_id: int):
    """An agreement as its partner sees it: terms, documents and milestones."""
    agreement = services.get_agreement_or_404(agreement_id, current_user)
    if current_user.is_staff:
        return redirect(url_for("agreements.admin_detail", agreement_id=agreement.id))
    return render_template("agreements/detail.html", **_detail_context(agreement))


@bp.get("/milestones/<int:milestone_id>")
def milestone_detail(milestone_id: int):
    """A milestone with its history and evidence; partners hand in evidence here."""
    milestone = services.get_milestone_or_404(milestone_id, current_user)
    return _milestone_page(milestone, EvidenceForm())


def _milestone_page(milestone: Milestone, form: EvidenceForm, error: str | None = None, status=200):
    session = db.session()
    agreement = session.get(Agreement, milestone.agreement_id)
    events = session.exec(
        select(MilestoneEvent)
        .where(MilestoneEvent.milestone_id == milestone.id)
        .order_by(MilestoneEvent.created_at, MilestoneEvent.id)
    ).all()
    evidence = session.exec(
        select(MilestoneEvidence, User.name)
        .outerjoin(User, User.id == MilestoneEvidence.submitted_by_id)
        .where(MilestoneEvidence.milestone_id == milestone.id)
        .order_by(MilestoneEvidence.created_at.desc(), MilestoneEvidence.id.desc())
    ).all()
    today = services.local_today()
    return render_template(
        "agreements/milestone_detail.html",
        milestone=milestone,
        agreement=agreement,
        organization=session.get(Organization, agreement.organization_id),
        events=events,
        evidence=evidence,
        form=form,
        error=error,
        today=today,
        can_submit=_can_submit(milestone, agreement, today),
        transitions=services.allowed_milestone_transitions(milestone),
        **_label_context(),
    ), status


def _can_submit(milestone: Milestone, agreement: Agreement, today) -> bool:
    return (
        current_user.is_partner
        and milestone.owner == "partner"
        and milestone.status not in ("accepted", "waived")
        and services.effective_status(agreement, today) in services.LIVE_STATUSES
    )


@bp.post("/milestones/<int:milestone_id>/evidence")
def milestone_submit(milestone_id: int):
    """A partner hands in a note, a file and/or a link for a milestone."""
    milestone = services.get_milestone_or_404(milestone_id, current_user)
    form = EvidenceForm()
    if not form.validate_on_submit():
        return _milestone_page(milestone, form, _("Check the form."), 400)
    upload = request.files.get("file")
    has_file = upload is not None and bool(upload.filename)
    dataset_id = parse_int(request.form.get("dataset_id"))
    if dataset_id and not datasets_access.can_see(current_user, dataset_id):
        return _milestone_page(
            milestone, form, _("Choose one of the datasets shared with you."), 400
        )
    try:
        services.submit_evidence(
            db.session(),
            milestone,
            current_user,
            note=form.note.data or "",
            link_url=form.link_url.data or "",
            stream=upload.stream if has_file else None,
            original_filename=upload.filename if has_file else "",
            dataset_id=dataset_id,
        )
    except ServiceError as refused:
        db.rollback()
        db.session().refresh(milestone)
        return _milestone_page(milestone, form, refused.message, refused.status)
    flash(_("Thank you. Your submission is recorded and the CoE will review it."), "success")
    return redirect(url_for("agreements.milestone_detail", milestone_id=milestone.id), code=303)


@bp.get("/agreements/<int:agreement_id>/documents/<int:document_id>")
def document_download(agreement_id: int, document_id: int):
    """Download one version of an agreement's document (staff and the organisation only)."""
    document = services.get_document_or_404(agreement_id, document_id, current_user)
    agreement = db.session().get(Agreement, document.agreement_id)
    services.record_document_download(db.session(), document, agreement)
    return send_file(
        files.stored_path("agreements", document.stored_name),
        mimetype=document.content_type,
        as_attachment=True,
        download_name=files.download_name(
            document.original_filename,
            document.content_type,
            f"{agreement.reference}-v{document.version}",
        ),
        max_age=0,
    )


@bp.get("/evidence/<int:evidence_id>/file")
def evidence_download(evidence_id: int):
    """Download the file a partner handed in as evidence (staff and the organisation only)."""
    evidence = services.get_evidence_or_404(evidence_id, current_user)
    if not evidence.stored_name:
        abort(404)
    services.record_evidence_download(db.session(), evidence)
    return send_file(
        files.stored_path("evidence", evidence.stored_name),
        mimetype=evidence.content_type,
        as_attachment=True,
        download_name=files.download_name(
            evidence.original_filename, evidence.content_type, f"evidence-{evidence.id}"
        ),
        max_age=0,
    )


# --- staff: milestones across agreements (the lists behind the dashboard figures) ------------

MILESTONE_STATUS_FILTERS = {"open", *(s.value for s in MilestoneStatus)}


@bp.get("/admin/milestones")
def admin_milestones():
    """Milestones of every agreement, filterable by status, kind, owner, due window and overdue."""
    today = services.local_today()
    args = request.args
    status = args.get("status", "") if args.get("status", "") in MILESTONE_STATUS_FILTERS else ""
    kind = args.get("kind", "") if args.get("kind", "") in set(MilestoneKind) else ""
    owner = args.get("owner", "") if args.get("owner", "") in ("coe", "partner") else ""
    due_within = parse_int(args.get("due_within"))
    if due_within is not None and not 0 <= due_within <= MAX_EXPIRING_DAYS:
        due_within = None
    overdue = args.get("overdue") == "1"
    live = args.get("agreements") == "live"
    query = (
        select(Milestone, Agreement, Organization.name)
        .join(Agreement, Agreement.id == Milestone.agreement_id)
        .join(Organization, Organization.id == Agreement.organization_id)
        .order_by(Milestone.due_on, Milestone.id)
    )
    if status == "open":
        query = query.where(Milestone.status.not_in(CLOSED_MILESTONE_STATUSES))
    elif status:
        query = query.where(Milestone.status == status)
    if kind:
        query = query.where(Milestone.kind == kind)
    if owner:
        query = query.where(Milestone.owner == owner)
    if due_within is not None:
        query = query.where(
            Milestone.due_on.between(today, today + timedelta(days=due_within)),
            Milestone.status.not_in(CLOSED_MILESTONE_STATUSES),
        )
    if overdue:
        query = query.where(services.milestone_overdue_clause(today))
    if live:
        query = query.where(services.live_agreement_clause(today))
    page = paginate(db.session(), query, args.get("page"))
    filters = {
        k: v
        for k, v in {
            "status": status,
            "kind": kind,
            "owner": owner,
            "due_within": due_within,
            "overdue": "1" if overdue else "",
            "agreements": "live" if live else "",
        }.items()
        if v not in ("", None)
    }
    return render_template(
        "agreements/admin_milestones.html",
        page=page,
        filters=filters,
        status=status,
        kind=kind,
        owner=owner,
        due_within=due_within,
        overdue=overdue,
        live=live,
        today=today,
        statuses=sorted(MILESTONE_STATUS_FILTERS),
        **_label_context(),
    )
