"""Applying for a licence (visitors and partners) and following an application on /me."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import db, uploads
from portal.audit.services import client_ip
from portal.catalog.loaders import get_technology_or_404
from portal.catalog.models import Technology
from portal.errors import ServiceError
from portal.licensing import bp, queries
from portal.licensing.forms import ApplicationForm, VisitorApplicationForm
from portal.licensing.loaders import get_application_or_404
from portal.licensing.models import LicenceApplication
from portal.licensing.services import KIND, submit_application
from portal.mail import send_mail
from portal.modelforms import form_values
from portal.storage import key
from portal.storage.serve import send_stored
from portal.vocabulary import Licensing


def _form():
    return ApplicationForm() if current_user.is_authenticated else VisitorApplicationForm()


def _apply_page(technology: Technology, form, error: str | None = None, status: int = 200):
    return (
        render_template("licensing/apply.html", technology=technology, form=form, error=error),
        status,
    )


@bp.route("/technologies/<slug>/apply", methods=["GET", "POST"])
def apply(slug: str):
    """The licence application form of a technology open for licensing."""
    technology = get_technology_or_404(slug, current_user)
    if technology.licensing_status != Licensing.AVAILABLE:
        return _apply_page(
            technology, _form(), _("This technology is not open for licensing."), 409
        )
    form = _form()
    if not form.validate_on_submit():
        return _apply_page(technology, form, status=400 if request.method == "POST" else 200)
    upload = request.files.get("plan")
    has_plan = upload is not None and bool(upload.filename)
    applicant = current_user._get_current_object() if current_user.is_authenticated else None
    if applicant is None and form.caught_a_bot("licence application"):
        return redirect(url_for("licensing.sent"), code=303)
    try:
        application, token = submit_application(
            db.session(),
            technology,
            form_values(form),
            applicant=applicant,
            ip=client_ip(),
            plan=upload.stream if has_plan else None,
            plan_filename=upload.filename if has_plan else "",
        )
    except ServiceError as error:
        page, status = _apply_page(technology, form, error.message, error.status)
        return page, status, error.headers
    if applicant is None:
        _mail_visitor(application, technology, token)
        return redirect(url_for("licensing.sent"), code=303)
    return redirect(url_for("licensing.detail", application_id=application.id), code=303)


def _mail_visitor(application: LicenceApplication, technology: Technology, token: str | None):
    """The confirmation to a visitor: with an invitation to follow it, or (the address already has
    an account) a pointer to sign in; the page they see is the same either way."""
    link = url_for("accounts.accept_invite", token=token, _external=True) if token else None
    send_mail(
        application.contact_email,
        _("Your licence application %(ref)s", ref=application.reference),
        render_template(
            "licensing/received_mail.txt",
            application=application,
            technology=technology,
            invite_link=link,
            login_link=url_for("accounts.login", _external=True),
        ),
    )


@bp.get("/applications/sent")
def sent():
    """What a visitor sees after applying (the same whatever their address)."""
    return render_template("licensing/sent.html")


@bp.get("/me/applications/<int:application_id>")
def detail(application_id: int):
    """An application as its organisation follows it: stage and every message."""
    application = get_application_or_404(application_id, current_user)
    if current_user.is_staff:
        return redirect(url_for("licensing.admin_detail", application_id=application.id))
    return render_template(
        "licensing/detail.html", **queries.application_context(db.session(), application)
    )


@bp.get("/applications/<int:application_id>/plan")
def plan_download(application_id: int):
    """The application's PDF plan (staff, and the applicant's organisation)."""
    application = get_application_or_404(application_id, current_user)
    if not application.plan_stored_name:
        return redirect(url_for("licensing.detail", application_id=application.id))
    return send_stored(
        key(KIND, application.plan_stored_name),
        mimetype=uploads.PDF,
        download_name=uploads.document_download_name(
            application.plan_filename, uploads.PDF, "plan"
        ),
    )
