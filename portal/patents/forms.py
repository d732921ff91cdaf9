"""The staff form of a patent: every declared field, plus the version it was loaded at."""

from __future__ import annotations

from wtforms import HiddenField

from portal.modelforms import model_form
from portal.patents.models import PatentFields


class PatentForm(model_form(PatentFields)):
    version = HiddenField()
