"""Staff pages for a technology's patents: list, add, edit, delete, and the renewal calendar."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal import db
from portal.catalog.loaders import get_technology_by_id_or_404
from portal.dates import local_today
from portal.editing import edit_form, save_edit
from portal.errors import ServiceError
from portal.modelforms import form_values
from portal.patents import bp, renewals, services
from portal.patents.forms import PatentForm
from portal.patents.models import Patent
from portal.patents.queries import patents_of


def _get_patent_or_404(patent_id: int) -> Patent:
    patent = db.session().get(Patent, patent_id)
    if patent is None:
        abort(404)
    return patent


def _list_page(technology, form: PatentForm, status: int = 200):
    today = local_today()
    patents = [(p, renewals.next_due(p, today)) for p in patents_of(db.session(), technology)]
    page = render_template(
        "patents/admin_list.html", technology=technology, patents=patents, form=form
    )
    return page, status


@bp.route("/admin/technologies/<int:tech_id>/patents", methods=["GET", "POST"])
def admin_list(tech_id: int):
    """A technology's patents with their next fee date, and the form to add one."""
    technology = get_technology_by_id_or_404(tech_id)
    form = PatentForm()
    if request.method == "GET":
        return _list_page(technology, form)
    if form.validate_on_submit():
        try:
            services.add_patent(db.session(), technology, form_values(form))
        except ServiceError as error:
            form.application_number.errors.append(error.message)
        else:
            flash(_("Patent recorded."), "success")
            return redirect(url_for("patents.admin_list", tech_id=technology.id))
    return _list_page(technology, form, 400)


@bp.route("/admin/patents/<int:patent_id>/edit", methods=["GET", "POST"])
def admin_edit(patent_id: int):
    """Edit a patent from the version shown; a stale form is a conflict, not an overwrite."""
    patent = _get_patent_or_404(patent_id)
    technology = get_technology_by_id_or_404(patent.technology_id)
    form = edit_form(PatentForm, patent)
    submitted = save_edit(
        form,
        lambda version: services.update_patent(
            db.session(), patent, form_values(form), version=version
        ),
        saved=_("Saved."),
        then=url_for("patents.admin_list", tech_id=technology.id),
    )
    if submitted.response:
        return submitted.response
    if submitted.conflict:
        flash(submitted.refused.message, "error")
    elif submitted.refused:
        form.application_number.errors.append(submitted.refused.message)
    page = render_template(
        "patents/admin_form.html", form=form, patent=patent, technology=technology
    )
    return page, submitted.status


@bp.post("/admin/patents/<int:patent_id>/delete")
def admin_delete(patent_id: int):
    """Remove a patent record."""
    patent = _get_patent_or_404(patent_id)
    tech_id = patent.technology_id
    services.delete_patent(db.session(), patent)
    flash(_("Patent record deleted."), "success")
    return redirect(url_for("patents.admin_list", tech_id=tech_id))


@bp.get("/admin/patents/renewals")
def admin_renewals():
    """Every fee or deadline due in the next 180 days, soonest first."""
    rows = renewals.upcoming(db.session(), local_today(), within_days=180)
    return render_template("patents/admin_renewals.html", rows=rows)
