"""Forms for technologies (staff), expressions of interest (public) and working inquiries."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Regexp

from portal.catalog.models import INQUIRY_CHAIN, Inquiry, TechnologyFields
from portal.fields import SLUG_MESSAGE, SLUG_PATTERN
from portal.honeypot import HoneypotForm
from portal.modelforms import MultiCheckboxField, model_form, required_email
from portal.vocabulary import Application, InquiryStatus, InterestKind, OrgKind

SLUG_RULE = Regexp(SLUG_PATTERN, message=SLUG_MESSAGE)


class TechnologyForm(model_form(TechnologyFields)):
    """Every declared technology field, plus what is not a column: applications and the version."""

    applications = MultiCheckboxField(_l("Applications"), choices=Application.choices())
    version = HiddenField()


class InquiryForm(HoneypotForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    email = required_email(_l("E-mail"))
    organization_name = StringField(
        _l("Organisation"), validators=[DataRequired(), Length(max=200)]
    )
    interest = SelectField(
        _l("I am interested in"),
        choices=InterestKind.choices(),
        validators=[DataRequired()],
    )
    message = TextAreaField(
        _l("Message"),
        validators=[
            DataRequired(),
            Length(min=10, max=5000, message=_l("Write between 10 and 5,000 characters.")),
        ],
        description=_l(
            "What would you like to do with the technology? Volumes, timelines, questions."
        ),
    )


class InquiryStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=InquiryStatus.choices())
    version = HiddenField()


class InquiryNoteForm(FlaskForm):
    body = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=5000)])


class ConvertInquiryForm(FlaskForm):
    name = StringField(_l("Organisation name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Short name"),
        validators=[DataRequired(), Length(max=80), SLUG_RULE],
        description=_l("Used in links. Cannot be changed later."),
    )
    kind = SelectField(_l("Kind"), choices=OrgKind.choices())
    contact_name = StringField(_l("Contact name"), validators=[DataRequired(), Length(max=200)])
    contact_email = EmailField(
        _l("Contact e-mail"), validators=[DataRequired(), Email(), Length(max=254)]
    )


def inquiry_status_form(inquiry: Inquiry) -> InquiryStatusForm:
    """The inline status form, offering only the steps allowed from the current status."""
    form = InquiryStatusForm(formdata=None, status=inquiry.status, version=inquiry.version)
    allowed = [inquiry.status, *INQUIRY_CHAIN.next_from(inquiry.status)]
    form.status.choices = [
        (s, InquiryStatus(s).label)
        for s in allowed
        if s != InquiryStatus.CONVERTED or inquiry.status == InquiryStatus.CONVERTED
    ]
    return form
