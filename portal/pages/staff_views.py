"""Staff edit the content pages (both languages) and read the feedback at /admin/pages."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _

from portal import db
from portal.editing import edit_form, save_edit
from portal.modelforms import form_values
from portal.pages import bp, defaults, services
from portal.pages.forms import ContentPageForm
from portal.vocabulary import FeedbackKind, PageSlug


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
    form = edit_form(ContentPageForm, page)
    submitted = save_edit(
        form,
        lambda version: services.save_page(db.session(), slug, form_values(form), version=version),
        saved=_("Page saved."),
        then=url_for("pages.show", slug=slug),
        code=303,
    )
    if submitted.response:
        return submitted.response
    html = render_template(
        "pages/admin_form.html", form=form, page=page, conflict=submitted.conflict
    )
    return html, submitted.status
