"""Staff pages of the catalog: technologies (create, edit, publish) and inquiries (leads)."""

from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import db, htmx
from portal.accounts.invitations import deliver_invitation
from portal.catalog import bp
from portal.catalog import inquiries as inquiry_service
from portal.catalog import services as catalog
from portal.catalog.forms import (
    ConvertInquiryForm,
    InquiryNoteForm,
    InquiryStatusForm,
    TechnologyForm,
)
from portal.catalog.loaders import get_inquiry_or_404, get_technology_by_id_or_404
from portal.catalog.models import INQUIRY_CHAIN, Inquiry, Technology
from portal.catalog.queries import (
    ADMIN_STATES,
    admin_technologies_query,
    inquiries_query,
    notes_for,
    technology_titles,
)
from portal.editing import act, edit_form, save_edit
from portal.errors import ServiceError
from portal.formdata import parse_int, submitted_version
from portal.modelforms import form_values
from portal.pagination import paginate
from portal.security import safe_next
from portal.textmatch import clean_search
from portal.vocabulary import InquiryStatus

# --- technologies ----------------------------------------------------------------------------


@bp.get("/admin/technologies")
def admin_index():
    """Every technology with its state; filter by state and title."""
    state = request.args.get("state", "")
    state = state if state in ADMIN_STATES else ""
    q = clean_search(request.args.get("q"))
    page = paginate(db.session(), admin_technologies_query(state, q), request.args.get("page"))
    return render_template("catalog/admin_index.html", page=page, state=state, q=q)


def _technology_changes(form: TechnologyForm) -> dict:
    return {**form_values(form), "applications": form.applications.data}


@bp.route("/admin/technologies/new", methods=["GET", "POST"])
def admin_create():
    """Add a technology (it starts unpublished)."""
    form = TechnologyForm()
    if request.method == "GET":
        form.trl.data = form.trl.data or 4
    if form.validate_on_submit():
        try:
            technology = catalog.create_technology(db.session(), **_technology_changes(form))
        except ServiceError as error:
            form.slug.errors.append(error.message)
        else:
            flash(_("Technology saved as a draft. Publish it when it is ready."), "success")
            return redirect(url_for("catalog.admin_edit", tech_id=technology.id))
    return render_template("catalog/admin_form.html", form=form, technology=None, conflict=False)


@bp.route("/admin/technologies/<int:tech_id>/edit", methods=["GET", "POST"])
def admin_edit(tech_id: int):
    """Edit a technology; a stale form (someone saved meanwhile) gets a conflict, not an overwrite."""
    technology = get_technology_by_id_or_404(tech_id)
    form = edit_form(TechnologyForm, technology)
    if request.method == "GET":
        form.applications.data = technology.applications

    def save(version: int) -> None:
        catalog.update_technology(
            db.session(), technology, _technology_changes(form), version=version
        )

    then = url_for("catalog.admin_edit", tech_id=technology.id)
    submitted = save_edit(form, save, saved=_("Saved."), then=then)
    if submitted.response:
        return submitted.response
    if submitted.refused and not submitted.conflict:
        form.slug.errors.append(_(submitted.refused.message))
    page = render_template(
        "catalog/admin_form.html", form=form, technology=technology, conflict=submitted.conflict
    )
    return page, submitted.status


# What a staff member can do to a technology with one button: the service, and what to say after.
STATE_CHANGES = {
    "publish": (catalog.publish_technology, _l("Published.")),
    "unpublish": (catalog.unpublish_technology, _l("Unpublished.")),
    "archive": (catalog.archive_technology, _l("Archived.")),
    "restore": (catalog.restore_technology, _l("Restored as a draft.")),
}


@bp.post("/admin/technologies/<int:tech_id>/<any(publish, unpublish, archive, restore):change>")
def admin_state_change(tech_id: int, change: str):
    """Publish, unpublish, archive or restore (as a draft) a technology, from the version shown."""
    technology = get_technology_by_id_or_404(tech_id)
    service, message = STATE_CHANGES[change]
    return act(
        lambda: service(db.session(), technology, parse_int(request.form.get("version"))),
        done=str(message),
        back=safe_next(request.form.get("next"), url_for("catalog.admin_index")),
    )


# --- inquiries -------------------------------------------------------------------------------


@bp.get("/admin/inquiries")
def admin_inquiries():
    """Inquiries, newest first, filterable by status and technology."""
    session = db.session()
    status = request.args.get("status", "")
    status = status if status in InquiryStatus.values() else ""
    technology_id = parse_int(request.args.get("technology"), 0) or None
    page = paginate(session, inquiries_query(status, technology_id), request.args.get("page"))
    return render_template(
        "catalog/admin_inquiries.html",
        page=page,
        status=status,
        technology_id=technology_id,
        technologies=technology_titles(session),
        statuses=InquiryStatus.values(),
    )


@bp.get("/admin/inquiries/<int:inquiry_id>")
def admin_inquiry(inquiry_id: int):
    """One inquiry: the message, notes, status and conversion into a partner."""
    inquiry = get_inquiry_or_404(inquiry_id)
    return _inquiry_detail(inquiry, ConvertInquiryForm(formdata=None, **_convert_defaults(inquiry)))


def _inquiry_detail(inquiry: Inquiry, convert_form: ConvertInquiryForm, status: int = 200):
    session = db.session()
    technology = session.get(Technology, inquiry.technology_id) if inquiry.technology_id else None
    return (
        render_template(
            "catalog/admin_inquiry.html",
            inquiry=inquiry,
            technology=technology,
            notes=notes_for(session, inquiry),
            note_form=InquiryNoteForm(formdata=None),
            convert_form=convert_form,
            can_convert=InquiryStatus.CONVERTED in INQUIRY_CHAIN.next_from(inquiry.status),
        ),
        status,
    )


def _convert_defaults(inquiry: Inquiry) -> dict:
    slug = re.sub(r"[^a-z0-9]+", "-", inquiry.organization_name.lower()).strip("-")[:80]
    return {
        "name": inquiry.organization_name,
        "slug": slug.strip("-"),
        "kind": "company",
        "contact_name": inquiry.name,
        "contact_email": inquiry.email,
    }


@bp.post("/admin/inquiries/<int:inquiry_id>/status")
def admin_inquiry_status(inquiry_id: int):
    """Change an inquiry's status (inline with htmx, or as a plain form)."""
    inquiry = get_inquiry_or_404(inquiry_id)
    form = InquiryStatusForm()
    error = None
    if form.validate_on_submit():
        try:
            inquiry_service.change_inquiry_status(
                db.session(), inquiry, form.status.data, submitted_version(form.version)
            )
        except ServiceError as problem:
            error = problem.message
    else:
        error = _("Choose a status.")
    if htmx.is_htmx():
        return htmx.render(
            "catalog/_inquiry_row.html",
            "catalog/_inquiry_row.html",
            inquiry=inquiry,
            technology=db.session().get(Technology, inquiry.technology_id or 0),
            error=error,
        )
    flash(error or _("Status changed."), "error" if error else "success")
    return redirect(
        safe_next(request.form.get("next"), url_for("catalog.admin_inquiry", inquiry_id=inquiry.id))
    )


@bp.post("/admin/inquiries/<int:inquiry_id>/notes")
def admin_inquiry_note(inquiry_id: int):
    """Add a note to an inquiry."""
    inquiry = get_inquiry_or_404(inquiry_id)
    form = InquiryNoteForm()
    back = url_for("catalog.admin_inquiry", inquiry_id=inquiry.id)
    if not form.validate_on_submit():
        flash(_("Write something in the note."), "error")
        return redirect(back)
    return act(
        lambda: inquiry_service.add_inquiry_note(
            db.session(), inquiry, form.body.data, current_user
        ),
        done=_("Note added."),
        back=back,
    )


@bp.post("/admin/inquiries/<int:inquiry_id>/convert")
def admin_inquiry_convert(inquiry_id: int):
    """Create an organisation from the inquiry and invite its contact as a partner user."""
    inquiry = get_inquiry_or_404(inquiry_id)
    form = ConvertInquiryForm()
    if not form.validate_on_submit():
        return _inquiry_detail(inquiry, form, status=400)
    try:
        organization, user, token = inquiry_service.convert_inquiry(
            db.session(),
            inquiry,
            organization={
                "name": form.name.data.strip(),
                "slug": form.slug.data.strip(),
                "kind": form.kind.data,
                "description": _("Converted from an inquiry about the catalog."),
            },
            contact_name=form.contact_name.data,
            contact_email=form.contact_email.data,
        )
    except ServiceError as error:
        form.slug.errors.append(error.message)
        return _inquiry_detail(inquiry, form, status=400)
    return deliver_invitation(user, token, organization.name)
