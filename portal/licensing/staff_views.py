"""Staff pages for licence applications: the pipeline by stage and one application's steps."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import db
from portal.editing import act
from portal.formdata import submitted_version
from portal.licensing import bp, queries
from portal.licensing.forms import StepForm
from portal.licensing.loaders import get_application_or_404
from portal.licensing.models import LicenceApplication
from portal.licensing.pipeline import DEFAULT_MESSAGES, next_stages
from portal.licensing.services import move_application
from portal.vocabulary import Stage


@bp.get("/admin/applications")
def admin_index():
    """Every application by stage, oldest in its stage first."""
    return render_template(
        "licensing/admin_index.html",
        pipeline=queries.pipeline(db.session()),
        figures=queries.stage_figures(db.session()),
    )


@bp.get("/admin/applications/<int:application_id>")
def admin_detail(application_id: int):
    """One application with its plan, its steps and the next steps staff may take."""
    application = get_application_or_404(application_id, current_user)
    return render_template(
        "licensing/admin_detail.html",
        **queries.application_context(db.session(), application),
        next_stages=next_stages(application.stage),
        default_messages=DEFAULT_MESSAGES,
    )


@bp.post("/admin/applications/<int:application_id>/stage")
def admin_step(application_id: int):
    """Move the application one step with a message to the applicant."""
    application = get_application_or_404(application_id, current_user)
    form = StepForm()
    back = url_for("licensing.admin_detail", application_id=application.id)
    if not form.validate_on_submit():
        flash(_("Choose a stage."), "error")
        return redirect(back, code=303)
    return act(
        lambda: move_application(
            db.session(),
            application,
            form.to_stage.data,
            version=submitted_version(form.version),
            message=form.message.data or "",
            actor=current_user._get_current_object(),
        ),
        done=_step_done,
        back=back,
        code=303,
    )


def _step_done(application: LicenceApplication) -> str:
    moved = _(
        "%(ref)s is now %(stage)s; the applicant has been told.",
        ref=application.reference,
        stage=Stage.label_of(application.stage).lower(),
    )
    if application.agreement_id:
        return f"{moved} {_('A draft licence agreement is ready for you to complete.')}"
    return moved
