"""The staff form of a content page and the public feedback form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.honeypot import HoneypotForm
from portal.modelforms import model_form
from portal.pages.models import ContentPageFields
from portal.vocabulary import FeedbackKind


class ContentPageForm(model_form(ContentPageFields)):
    """Both languages' title and text, plus the version the editor started from."""

    version = HiddenField()


class FeedbackForm(HoneypotForm):
    kind = SelectField(_l("Your feedback is about"), choices=FeedbackKind.choices())
    message = TextAreaField(
        _l("Message"),
        validators=[
            DataRequired(),
            Length(min=10, max=3000, message=_l("Write between 10 and 3,000 characters.")),
        ],
    )
    name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=200)])
    email = EmailField(
        _l("E-mail (optional, if you want an answer)"),
        validators=[Optional(), Email(), Length(max=254)],
    )
    page_url = HiddenField()
