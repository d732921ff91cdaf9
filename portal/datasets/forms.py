"""Forms for datasets, file uploads and grants."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, FloatField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from portal.modelforms import DATE_BOUNDS, accepted_date

CHEMISTRY_LABELS = {
    "li_ion": _l("Lithium-ion"),
    "na_ion": _l("Sodium-ion"),
    "li_polymer": _l("Lithium-polymer"),
    "other": _l("Other"),
}
TEST_TYPE_LABELS = {
    "cycle_life": _l("Cycle life"),
    "rate_capability": _l("Rate capability"),
    "formation": _l("Formation"),
    "calendar_ageing": _l("Calendar ageing"),
    "characterisation": _l("Characterisation"),
    "other": _l("Other"),
}
VISIBILITY_LABELS = {
    "public": _l("Public: everyone"),
    "partners": _l("Partners: organisations with an active agreement"),
    "restricted": _l("Restricted: organisations granted access"),
}


class DatasetForm(FlaskForm):
    version = HiddenField()
    slug = StringField(
        _l("Short name"),
        validators=[
            DataRequired(),
            Length(max=80),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Lower-case letters, digits, hyphens.")
            ),
        ],
        description=_l(
            "Used in the address, e.g. na-ion-pouch-cycle-life. Cannot be changed later."
        ),
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description (Markdown)"), validators=[Length(max=20000)])
    technology_id = SelectField(_l("Technology"), coerce=int, validate_choice=True)
    chemistry = SelectField(_l("Chemistry"), choices=list(CHEMISTRY_LABELS.items()))
    cell_format = StringField(
        _l("Cell format"),
        validators=[Optional(), Length(max=80)],
        description=_l("e.g. 2032 coin cell, 18650, 10 Ah pouch"),
    )
    nominal_capacity_ah = FloatField(
        _l("Nominal capacity (Ah)"), validators=[Optional(), NumberRange(min=1e-9, max=1e6)]
    )
    test_type = SelectField(_l("Test type"), choices=list(TEST_TYPE_LABELS.items()))
    temperature_c = FloatField(
        _l("Test temperature (°C)"), validators=[Optional(), NumberRange(min=-100, max=200)]
    )
    visibility = SelectField(_l("Who may see it"), choices=list(VISIBILITY_LABELS.items()))
    licence_terms = TextAreaField(_l("Licence and terms of use"), validators=[Length(max=5000)])
    attribution = TextAreaField(_l("Attribution / source"), validators=[Length(max=2000)])


class UploadForm(FlaskForm):
    file = FileField(
        _l("Cycler file"),
        validators=[FileRequired(_l("Choose a file to upload."))],
        description=_l(
            "Arbin, Maccor, Neware, BioLogic (.mpt/.mpr), Landt, Battery Data Format or Battery "
            "Archive exports, or a .zip holding one of them. The format is detected from the content."
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
    expires_on = DateField(
        _l("Expires on (optional)"),
        validators=[Optional(), accepted_date],
        render_kw=DATE_BOUNDS,
    )


class VoltageCyclesForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only chooses what to draw

    cycles = StringField(
        _l("Cycles to draw"),
        validators=[Optional(), Length(max=80)],
        description=_l("Cycle numbers separated by commas, e.g. 1, 100, 500 (at most 8)."),
    )
