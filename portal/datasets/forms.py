"""Forms for datasets (built from their declared fields), file uploads, grants and plot choices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional

from portal.datasets.ingest.formats import supported_labels
from portal.datasets.models import DatasetFields
from portal.modelforms import PortalDateField, model_form


class DatasetForm(model_form(DatasetFields)):
    """Every declared dataset field, plus what is not one: the technology and the version."""

    version = HiddenField()
    technology_id = SelectField(_l("Technology"), coerce=int, validate_choice=True)


class UploadForm(FlaskForm):
    file = FileField(
        _l("Cycler file"),
        validators=[FileRequired(_l("Choose a file to upload."))],
        description=_l(
            "%(formats)s, or a .zip holding one of them. The format is detected from the content.",
            formats=supported_labels(),
        ),
    )


class GrantForm(FlaskForm):
    organization_id = SelectField(_l("Organisation"), coerce=int, validate_choice=True)
    agreement_id = SelectField(
        _l("Under agreement (optional)"),
        coerce=int,
        validate_choice=True,
        description=_l("Access then lapses by itself when that agreement is no longer active."),
    )
    expires_on = PortalDateField(_l("Expires on (optional)"), validators=[Optional()])


class VoltageCyclesForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only chooses what to draw

    cycles = StringField(
        _l("Cycles to draw"),
        validators=[Optional(), Length(max=80)],
        description=_l("Cycle numbers separated by commas, e.g. 1, 100, 500 (at most 8)."),
    )
