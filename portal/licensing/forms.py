"""The application forms (built from the declared fields) and the staff step form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.honeypot import HoneypotForm
from portal.licensing.models import ApplicationFields, ContactFields
from portal.modelforms import model_form


class ApplicationForm(model_form(ApplicationFields)):
    """What a signed-in partner fills in."""

    plan = FileField(_l("Plan as a PDF (optional)"))


class VisitorApplicationForm(ApplicationForm, model_form(ContactFields), HoneypotForm):
    """What a visitor fills in: the application plus who to answer (and the honeypot: the
    answer mails whatever address is typed, so a bot must not get one)."""

    MODEL_FIELDS = ApplicationForm.MODEL_FIELDS + model_form(ContactFields).MODEL_FIELDS


class StepForm(FlaskForm):
    """Staff move an application one step, with the message the applicant reads."""

    version = HiddenField()
    to_stage = HiddenField(validators=[DataRequired()])
    message = TextAreaField(
        _l("Message to the applicant"), validators=[Optional(), Length(max=5000)]
    )
