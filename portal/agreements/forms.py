"""Forms for agreements, documents, milestones and evidence."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, Regexp

from portal.agreements.models import AgreementKind, MilestoneKind, MilestoneOwner

KIND_LABELS = {
    "mou": _l("MoU"),
    "license": _l("Licence"),
    "nda": _l("NDA"),
    "mta": _l("MTA"),
}
MILESTONE_KIND_LABELS = {
    "deliverable": _l("Deliverable"),
    "payment": _l("Payment"),
    "report": _l("Report"),
    "training": _l("Training"),
    "pilot": _l("Pilot batch"),
    "review": _l("Review"),
}
EXCLUSIVITY_CHOICES = [
    ("", _l("Not applicable")),
    ("exclusive", _l("Exclusive")),
    ("non_exclusive", _l("Non-exclusive")),
    ("sole", _l("Sole")),
]


class AgreementForm(FlaskForm):
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
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[(k.value, KIND_LABELS[k.value]) for k in AgreementKind])
    organization_id = SelectField(_l("Partner organisation"), coerce=int, validate_choice=True)
    responsible_staff_id = SelectField(
        _l("Responsible staff member"), coerce=int, validate_choice=True
    )
    technology_ids = SelectMultipleField(_l("Technologies"), coerce=int, validate_choice=True)
    scope = TextAreaField(_l("Scope"), validators=[Optional(), Length(max=20000)])
    exclusivity = SelectField(
        _l("Exclusivity"), choices=EXCLUSIVITY_CHOICES, validators=[Optional()]
    )
    field_of_use = StringField(_l("Field of use"), validators=[Optional(), Length(max=300)])
    territory = StringField(_l("Territory"), validators=[Optional(), Length(max=200)])
    royalty_text = StringField(_l("Royalty terms"), validators=[Optional(), Length(max=500)])
    royalty_pct = DecimalField(
        _l("Royalty (%)"), places=2, validators=[Optional(), NumberRange(min=0, max=100)]
    )
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    effective_on = DateField(_l("Effective from"), validators=[Optional()])
    expires_on = DateField(_l("Expires on"), validators=[Optional()])
    is_announced = BooleanField(_l("Announce publicly on the partners page"))


class AgreementEditForm(AgreementForm):
    reference = None


class TransitionForm(FlaskForm):
    version = HiddenField()
    to_status = HiddenField(validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=1000)])


class DocumentForm(FlaskForm):
    # Own ids: the agreement page also holds the milestone form, whose "title" would clash.
    title = StringField(_l("Title"), id="document-title", validators=[Optional(), Length(max=200)])
    file = FileField(_l("File (PDF, DOCX, XLSX, PNG or JPEG)"), id="document-file")


class MilestoneForm(FlaskForm):
    version = HiddenField()
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"), choices=[(k.value, MILESTONE_KIND_LABELS[k.value]) for k in MilestoneKind]
    )
    owner = SelectField(
        _l("Owner"),
        choices=[
            (MilestoneOwner.PARTNER.value, _l("Partner")),
            (MilestoneOwner.COE.value, _l("CoE")),
        ],
    )
    due_on = DateField(_l("Due on"), validators=[DataRequired()])
    amount_inr = DecimalField(
        _l("Amount (₹)"), places=2, validators=[Optional(), NumberRange(min=0, max=10**11)]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


class MilestoneTransitionForm(FlaskForm):
    version = HiddenField()
    to_status = HiddenField(validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=1000)])


class EvidenceForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=5000)])
    link_url = StringField(
        _l("Link (e.g. to a dataset)"),
        validators=[Optional(), URL(require_tld=False), Length(max=500)],
    )
    file = FileField(_l("File (PDF, DOCX, XLSX, PNG or JPEG)"))
