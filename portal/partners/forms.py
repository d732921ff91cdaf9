"""Forms for personal API tokens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("Something to recognise it by, e.g. “lab notebook”."),
    )
