"""Forms for technologies (staff), expressions of interest (public) and working inquiries."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from portal.accounts.models import OrgKind

CHEMISTRY_LABELS = {
    "li_ion": _l("Lithium-ion"),
    "na_ion": _l("Sodium-ion"),
    "li_polymer": _l("Lithium-polymer"),
    "other": _l("Other"),
}
CATEGORY_LABELS = {
    "cell": _l("Cells"),
    "materials": _l("Materials"),
    "process": _l("Processes"),
    "equipment": _l("Equipment and machinery"),
    "bms": _l("Battery management (BMS)"),
    "recycling": _l("Recycling"),
    "testing": _l("Testing services"),
}
APPLICATION_LABELS = {
    "ev": _l("Electric vehicles"),
    "mobile": _l("Mobile devices"),
    "electronics": _l("Consumer electronics"),
    "stationary": _l("Stationary storage"),
}
LICENSING_LABELS = {
    "available": _l("Available for licensing"),
    "licensed": _l("Licensed"),
    "not_available": _l("Not available"),
}
INTEREST_LABELS = {
    "licensing": _l("Licensing"),
    "co_development": _l("Co-development"),
    "testing_services": _l("Testing services"),
    "dataset_access": _l("Dataset access"),
}
STATUS_LABELS = {
    "new": _l("New"),
    "contacted": _l("Contacted"),
    "in_discussion": _l("In discussion"),
    "converted": _l("Converted"),
    "closed": _l("Closed"),
}
SLUG_RULE = Regexp(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Lower-case letters, digits, hyphens.")
)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _metric(label, minimum=0, maximum=1_000_000, integer=False, description=None):
    field = IntegerField if integer else FloatField
    return field(
        label,
        validators=[Optional(), NumberRange(min=minimum, max=maximum)],
        description=description,
    )


class TechnologyForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Short name"),
        validators=[DataRequired(), Length(max=120), SLUG_RULE],
        description=_l("Used in the page address, e.g. sodium-ion-18650-cell."),
    )
    summary = TextAreaField(
        _l("Summary"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("One or two sentences shown in the list."),
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Markdown: **bold**, lists, tables and links are allowed; HTML is not."),
    )
    chemistry = SelectField(_l("Chemistry"), choices=list(CHEMISTRY_LABELS.items()))
    category = SelectField(_l("Category"), choices=list(CATEGORY_LABELS.items()))
    applications = MultiCheckboxField(_l("Applications"), choices=list(APPLICATION_LABELS.items()))
    trl = IntegerField(
        _l("Technology readiness level (1–9)"),
        validators=[DataRequired(), NumberRange(min=1, max=9)],
    )
    licensing_status = SelectField(_l("Licensing"), choices=list(LICENSING_LABELS.items()))
    ip_status = StringField(
        _l("IP status"),
        validators=[Optional(), Length(max=200)],
        description=_l("e.g. Indian patent granted; patent applied; know-how (trade secret)."),
    )
    patent_refs = StringField(_l("Patent references"), validators=[Optional(), Length(max=500)])
    specific_energy_wh_per_kg = _metric(_l("Specific energy (Wh/kg)"), maximum=2000)
    energy_density_wh_per_l = _metric(_l("Energy density (Wh/L)"), maximum=5000)
    cycle_life = _metric(_l("Cycle life (cycles to 80 %)"), maximum=1_000_000, integer=True)
    max_c_rate = _metric(_l("Maximum C-rate"), maximum=1000)
    nominal_voltage_v = _metric(_l("Nominal voltage (V)"), maximum=2000)
    capacity_ah = _metric(_l("Capacity (Ah)"), maximum=100_000)
    cost_inr_per_kwh = _metric(_l("Indicative cost (₹/kWh)"), maximum=10_000_000, integer=True)
    throughput_units_per_hour = _metric(_l("Throughput (units per hour)"), maximum=10_000_000)
    indigenous_content_pct = _metric(_l("Indigenous content (%)"), maximum=100)
    problem = TextAreaField(_l("The problem it solves"), validators=[Optional(), Length(max=5000)])
    advantage = TextAreaField(
        _l("How it beats current practice"), validators=[Optional(), Length(max=5000)]
    )
    applications_text = TextAreaField(
        _l("Where it applies"), validators=[Optional(), Length(max=5000)]
    )
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)])
    contact_email = EmailField(
        _l("Contact e-mail"), validators=[Optional(), Email(), Length(max=254)]
    )
    version = HiddenField()

    METRICS = (
        "specific_energy_wh_per_kg",
        "energy_density_wh_per_l",
        "cycle_life",
        "max_c_rate",
        "nominal_voltage_v",
        "capacity_ah",
        "cost_inr_per_kwh",
        "throughput_units_per_hour",
        "indigenous_content_pct",
    )
    TEXT = (
        "title",
        "slug",
        "summary",
        "description",
        "chemistry",
        "category",
        "trl",
        "licensing_status",
        "ip_status",
        "patent_refs",
        "problem",
        "advantage",
        "applications_text",
        "contact_name",
        "contact_email",
    )

    def technology_fields(self) -> dict:
        """The values for the catalog service (strings stripped, empty metrics as None)."""
        values = {}
        for name in self.TEXT:
            value = getattr(self, name).data
            if value is None and name != "trl":
                value = ""
            values[name] = value.strip() if isinstance(value, str) else value
        for name in self.METRICS:
            values[name] = getattr(self, name).data
        return values


class InquiryForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(),
            Email(message=_l("Enter an e-mail address like name@company.in.")),
            Length(max=254),
        ],
    )
    organization_name = StringField(
        _l("Organisation"), validators=[DataRequired(), Length(max=200)]
    )
    interest = SelectField(
        _l("I am interested in"),
        choices=list(INTEREST_LABELS.items()),
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
    # A honeypot: hidden from people, tempting for bots. Anything typed here discards the message.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])


class InquiryStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=list(STATUS_LABELS.items()))
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
    kind = SelectField(_l("Kind"), choices=[(k.value, k.value.capitalize()) for k in OrgKind])
    contact_name = StringField(_l("Contact name"), validators=[DataRequired(), Length(max=200)])
    contact_email = EmailField(
        _l("Contact e-mail"), validators=[DataRequired(), Email(), Length(max=254)]
    )
