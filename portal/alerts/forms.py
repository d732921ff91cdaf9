"""The catalog's "e-mail me when something new matches" form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField

from portal.modelforms import required_email


class AlertForm(FlaskForm):
    email = required_email(_l("Your e-mail"))
    query = HiddenField()
