"""Forms for agreements, documents, milestones and evidence.

The agreement and milestone forms are built from the declared fields (``AgreementFields``,
``MilestoneFields``); only what is not a plain column is written here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional, Regexp

from portal.agreements.models import AgreementFields, MilestoneFields
from portal.fields import hint_of
from portal.modelforms import MultiCheckboxField, model_form

FILE_LABEL = _l("File (PDF, DOCX, XLSX, PNG or JPEG)")


def _label(name: str):
    return hint_of(AgreementFields.model_fields[name]).label


class AgreementForm(model_form(AgreementFields)):
    """Every declared agreement field; the organisation and staff member are picked from lists."""

    version = HiddenField()
    reference = StringField(
        _l("Reference"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[A-Za-z0-9][A-Za-z0-9\-/]{2,39}$", message=_l("Letters, digits, - and /.")),
        ],
        description=_l("Leave empty to number it automatically, e.g. COE-MOU-2025-001."),
    )
    # The choices are filled in by the view (organisations, active staff, technologies).
    organization_id = SelectField(_label("organization_id"), coerce=int, validate_choice=True)
    responsible_staff_id = SelectField(
        _label("responsible_staff_id"), coerce=int, validate_choice=True
    )
    technology_ids = MultiCheckboxField(_l("Technologies"), coerce=int, validate_choice=True)


class AgreementEditForm(AgreementForm):
    reference = None  # fixed once the agreement exists


class TransitionForm(FlaskForm):
    """A one-click status change of an agreement or a milestone (with an optional reason)."""

    version = HiddenField()
    to_status = HiddenField(validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=1000)])


class DocumentForm(FlaskForm):
    # Own ids: the agreement page also holds the milestone form, whose "title" would clash.
    title = StringField(_l("Title"), id="document-title", validators=[Optional(), Length(max=200)])
    file = FileField(FILE_LABEL, id="document-file")


class MilestoneForm(model_form(MilestoneFields)):
    """Every declared milestone field, plus the version it was loaded with."""

    version = HiddenField()


class EvidenceForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=5000)])
    link_url = StringField(
        _l("Link (e.g. to a dataset)"),
        validators=[Optional(), URL(require_tld=False), Length(max=500)],
    )
    file = FileField(FILE_LABEL)
