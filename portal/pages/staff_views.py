"""Staff edit the content pages (both languages) and read the feedback at /admin/pages."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal import db
from portal.errors import ConflictError
from portal.formdata import submitted_version
from portal.modelforms import form_values
from portal.pages import bp, defaults, services
from portal.pages.forms import ContentPageForm
from portal.pages.models import FeedbackKind, PageSlug


@bp.get("/admin/pages")
def admin_index():
    """The content pages with their last change, and the newest feedback."""
    session = db.session()
    pages = [services.page_for(session, slug) for slug in PageSlug.values()]
    return render_template(
        "pages/admin_index.html",
        pages=pages,
        feedback=services.recent_feedback(session),
        shipped_on=defaults.SHIPPED_ON,
        kind_label=FeedbackKind.label_of,
    )


@bp.route("/admin/pages/<slug>/edit", methods=["GET", "POST"])
def admin_edit(slug: str):
    """Edit a page's English and Hindi title and Markdown text; a stale form is a conflict."""
    if slug not in PageSlug.values():
        abort(404)
    page = services.page_for(db.session(), slug)
    form = ContentPageForm(obj=page if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = page.version
    status, conflict = 200, False
    if form.validate_on_submit():
        try:
            services.save_page(
                db.session(), slug, form_values(form), version=submitted_version(form.version)
            )
        except ConflictError:
            status, conflict = 409, True
        else:
            flash(_("Page saved."), "success")
            return redirect(url_for("pages.show", slug=slug), code=303)
    elif request.method == "POST":
        status = 400
    return render_template("pages/admin_form.html", form=form, page=page, conflict=conflict), status
