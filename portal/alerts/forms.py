"""The catalog's "e-mail me when something new matches" form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField
from wtforms.validators import DataRequired, Email, Length


class AlertForm(FlaskForm):
    email = EmailField(
        _l("Your e-mail"),
        validators=[
            DataRequired(),
            Email(message=_l("Enter an e-mail address like name@company.in.")),
            Length(max=254),
        ],
    )
    query = HiddenField()
