"""Public content pages, the feedback form, the HTML and XML sitemaps and robots.txt."""

from __future__ import annotations

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal import db
from portal.audit.services import client_ip
from portal.errors import ServiceError
from portal.mail import send_mail
from portal.pages import bp, defaults, services
from portal.pages.forms import FeedbackForm
from portal.pages.sitemap import sitemap_entries
from portal.security import safe_next
from portal.urls import base_url
from portal.vocabulary import FeedbackKind, PageSlug


def _show(slug: str):
    """One content page in the visitor's language (English, marked lang="en", where no Hindi)."""
    if slug not in PageSlug.values():
        abort(404)
    page = services.page_for(db.session(), slug)
    return render_template("pages/show.html", page=page, shipped_on=defaults.SHIPPED_ON)


for _slug in PageSlug.values():
    bp.add_url_rule(f"/{_slug}", "show", _show, defaults={"slug": _slug}, methods=["GET"])


@bp.route("/feedback", methods=["GET", "POST"])
def feedback():
    """Tell the CoE what works and what does not (stored, mailed to staff, throttled)."""
    form = FeedbackForm()
    if request.method == "GET":
        form.page_url.data = safe_next(request.args.get("from"), "")
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("pages/feedback.html", form=form, error=None), status
    if form.caught_a_bot("feedback"):
        return redirect(url_for("pages.feedback_sent"), code=303)
    try:
        message = services.send_feedback(
            db.session(),
            ip=client_ip(),
            kind=form.kind.data,
            message=form.message.data,
            name=form.name.data or "",
            email=form.email.data or "",
            page_url=safe_next(form.page_url.data, ""),
        )
    except ServiceError as error:
        page = render_template("pages/feedback.html", form=form, error=error.message)
        return page, error.status, error.headers
    send_mail(
        current_app.config["STAFF_NOTIFY_EMAIL"],
        _("Feedback: %(kind)s", kind=FeedbackKind.label_of(message.kind)),
        render_template("pages/feedback_staff.txt", feedback=message),
    )
    return redirect(url_for("pages.feedback_sent"), code=303)


@bp.get("/feedback/sent")
def feedback_sent():
    """Thanks for the feedback."""
    return render_template("pages/feedback_sent.html")


@bp.get("/sitemap")
def sitemap():
    """Every public page, grouped, as a page people can read."""
    return render_template("pages/sitemap.html", entries=sitemap_entries(db.session()))


@bp.get("/sitemap.xml")
def sitemap_xml():
    """The same pages for search engines (sitemaps.org 0.9), absolute addresses."""
    xml = render_template(
        "pages/sitemap.xml", entries=sitemap_entries(db.session()), base_url=base_url()
    )
    return Response(xml, mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    """Crawlers may read the public pages, not the signed-in ones; where the sitemap is."""
    text = render_template("pages/robots.txt", sitemap=url_for("pages.sitemap_xml", _external=True))
    return Response(text, mimetype="text/plain")
