"""Agreement pages partners share with staff (object rule: their own organisation only): an agreement,
a milestone (where partners hand in evidence) and the document and evidence downloads.
Staff pages live in staff_views.py."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import db, uploads
from portal.agreements import bp, queries, versions
from portal.agreements.consistency import date_warnings
from portal.agreements.documents import KIND as DOCUMENT_FILES
from portal.agreements.documents import record_document_download
from portal.agreements.evidence import KIND as EVIDENCE_FILES
from portal.agreements.evidence import can_submit, record_evidence_download, submit_evidence
from portal.agreements.forms import EvidenceForm
from portal.agreements.loaders import (
    agreement_of,
    get_agreement_or_404,
    get_document_or_404,
    get_evidence_or_404,
    get_milestone_or_404,
)
from portal.agreements.models import Agreement, Milestone
from portal.agreements.status import allowed_milestone_transitions, allowed_transitions
from portal.dates import local_today
from portal.errors import ServiceError
from portal.formdata import parse_int
from portal.storage import key
from portal.storage.serve import send_stored


def agreement_context(agreement: Agreement) -> dict:
    """What the agreement pages show (staff and partner): terms, documents and milestones."""
    session = db.session()
    today = local_today()
    milestones = queries.milestones_of(session, agreement)
    return {
        "agreement": agreement,
        "organization": queries.organization_of(session, agreement),
        "technologies": queries.technologies_of(session, agreement),
        "documents": queries.documents_of(session, agreement),
        "milestones": milestones,
        "date_warnings": date_warnings(agreement, milestones),
        "status": agreement.status_on(today),
        "transitions": allowed_transitions(agreement, today),
        "milestone_transitions": allowed_milestone_transitions,
        "today": today,
    }


@bp.get("/agreements/<int:agreement_id>")
def detail(agreement_id: int):
    """An agreement as its partner sees it: terms, documents and milestones."""
    agreement = get_agreement_or_404(agreement_id, current_user)
    if current_user.is_staff:
        return redirect(url_for("agreements.admin_detail", agreement_id=agreement.id))
    return render_template(
        "agreements/detail.html",
        **agreement_context(agreement),
        history=versions.timeline(db.session(), agreement, for_partner=True),
    )


def _milestone_page(milestone: Milestone, form: EvidenceForm, error: str | None = None, status=200):
    session = db.session()
    agreement = agreement_of(milestone)
    return render_template(
        "agreements/milestone_detail.html",
        milestone=milestone,
        agreement=agreement,
        organization=queries.organization_of(session, agreement),
        events=queries.history_of(session, milestone),
        evidence=queries.evidence_of(session, milestone),
        form=form,
        error=error,
        today=local_today(),
        can_submit=can_submit(current_user, milestone, agreement),
        transitions=allowed_milestone_transitions(milestone),
    ), status


@bp.get("/milestones/<int:milestone_id>")
def milestone_detail(milestone_id: int):
    """A milestone with its history and evidence; partners hand in evidence here."""
    milestone = get_milestone_or_404(milestone_id, current_user)
    return _milestone_page(milestone, EvidenceForm())


@bp.post("/milestones/<int:milestone_id>/evidence")
def milestone_submit(milestone_id: int):
    """A partner hands in a note, a file, a link and/or a dataset for a milestone."""
    milestone = get_milestone_or_404(milestone_id, current_user)
    form = EvidenceForm()
    if not form.validate_on_submit():
        return _milestone_page(milestone, form, _("Check the form."), 400)
    upload = request.files.get("file")
    has_file = upload is not None and bool(upload.filename)
    try:
        submit_evidence(
            db.session(),
            milestone,
            current_user,
            note=form.note.data or "",
            link_url=form.link_url.data or "",
            stream=upload.stream if has_file else None,
            original_filename=upload.filename if has_file else "",
            dataset_id=parse_int(request.form.get("dataset_id")),
        )
    except ServiceError as refused:
        return _milestone_page(milestone, form, refused.message, refused.status)
    flash(_("Thank you. Your submission is recorded and the CoE will review it."), "success")
    return redirect(url_for("agreements.milestone_detail", milestone_id=milestone.id), code=303)


def _attachment(kind: str, stored_name: str, content_type: str, original: str, fallback: str):
    """A stored file as a download with a safe name (never shown inline)."""
    return send_stored(
        key(kind, stored_name),
        mimetype=content_type,
        download_name=uploads.document_download_name(original, content_type, fallback),
    )


@bp.get("/agreements/<int:agreement_id>/documents/<int:document_id>")
def document_download(agreement_id: int, document_id: int):
    """Download one version of an agreement's document (staff and the organisation only)."""
    document = get_document_or_404(agreement_id, document_id, current_user)
    agreement = get_agreement_or_404(agreement_id, current_user)
    record_document_download(db.session(), document, agreement)
    return _attachment(
        DOCUMENT_FILES,
        document.stored_name,
        document.content_type,
        document.original_filename,
        f"{agreement.reference}-v{document.version}",
    )


@bp.get("/evidence/<int:evidence_id>/file")
def evidence_download(evidence_id: int):
    """Download the file a partner handed in as evidence (staff and the organisation only)."""
    evidence = get_evidence_or_404(evidence_id, current_user)
    if not evidence.stored_name:
        abort(404)
    record_evidence_download(db.session(), evidence)
    return _attachment(
        EVIDENCE_FILES,
        evidence.stored_name,
        evidence.content_type,
        evidence.original_filename,
        f"evidence-{evidence.id}",
    )
