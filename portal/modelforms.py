"""Build a Flask-WTF form from a model's declared fields, and read its values back.

The model says what a field is (type, limits, label, help, choices); this module turns that
into WTForms fields and validators, so a new ordinary field needs no form code. Fields a form
needs that are not columns (a version, an upload) are declared on the form class as usual.
"""

from __future__ import annotations

import datetime
import types
from decimal import Decimal
from typing import Any, Union, get_args, get_origin

import annotated_types
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    Field,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL as ValidURL
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from portal.dates import DATE_INPUT_PATTERN, EARLIEST, LATEST, in_range, parse_date
from portal.fields import CHECKBOXES, EMAIL, MARKDOWN, TEXTAREA, URL, declared_fields, hint_of
from portal.formatting import format_date, web_address

MARKDOWN_HELP = _l("Markdown: **bold**, lists, tables and links are allowed; HTML is not.")


def accepted_date(_form, field) -> None:
    """A date field's validator: only dates in the portal's range (1990–2100) are taken."""
    if isinstance(field.data, datetime.date) and not in_range(field.data):
        raise ValidationError(
            _l(
                "Enter a date between %(first)s and %(last)s.",
                first=format_date(EARLIEST),
                last=format_date(LATEST),
            )
        )


# The browser's own date picker shows mm/dd/yyyy on many machines, so dates are typed as text
# in the DD-MM-YYYY form the portal displays (the attributes give phones a digit keypad).
DATE_INPUT_ATTRS = {
    "inputmode": "numeric",
    "placeholder": "DD-MM-YYYY",
    "pattern": DATE_INPUT_PATTERN,
    "autocomplete": "off",
}


class PortalDateField(DateField):
    """A date typed as DD-MM-YYYY (ISO YYYY-MM-DD also taken), shown back as DD-MM-YYYY."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs: Any) -> None:
        kwargs["render_kw"] = {**DATE_INPUT_ATTRS, **(kwargs.get("render_kw") or {})}
        super().__init__(label, [*(validators or []), accepted_date], **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d-%m-%Y") if self.data else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return  # not posted at all: keep the default or the record's value, as DateField does
        if not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = parse_date(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(
                _l("Enter the date as DD-MM-YYYY, for example %(example)s.", example="31-03-2027")
            ) from None


def http_address(_form, field) -> None:
    """A web-address field's validator: http:// or https:// only (no javascript:, data:, …)."""
    if field.data and not web_address(field.data):
        raise ValidationError(_l("Enter a web address starting with https:// or http://."))


def required_email(label) -> EmailField:
    """The e-mail field of a public form: required, with an example in its error message."""
    message = _l("Enter an e-mail address like name@company.in.")
    return EmailField(label, validators=[DataRequired(), Email(message=message), Length(max=254)])


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (no Ctrl-click multi-select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _base_type(annotation: Any) -> tuple[Any, bool]:
    """The annotation without ``| None``, and whether None was allowed."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        return (args[0] if len(args) == 1 else annotation), len(args) < len(get_args(annotation))
    return annotation, False


def _bounds(info: FieldInfo) -> tuple[float | None, float | None]:
    low = high = None
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Gt):
            low = item.gt
        elif isinstance(item, annotated_types.Le):
            high = item.le
        elif isinstance(item, annotated_types.Lt):
            high = item.lt
    return low, high


def _max_length(info: FieldInfo) -> int | None:
    return next(
        (item.max_length for item in info.metadata if isinstance(item, annotated_types.MaxLen)),
        None,
    )


TOO_LONG = _l("Use at most %(max)d characters; this has %(length)d. Nothing was cut or saved.")


def form_field(info: FieldInfo) -> Field:
    """The WTForms field for one declared model field."""
    hint = hint_of(info)
    kind, nullable = _base_type(info.annotation)
    required = hint.required or (info.is_required() and not nullable)
    validators: list = [DataRequired() if required else Optional()]
    description = hint.help
    if hint.widget == MARKDOWN and description is None:
        description = MARKDOWN_HELP
    options: dict[str, Any] = {"validators": validators, "description": description}

    if hint.choices is not None:
        if hint.widget == CHECKBOXES or get_origin(kind) is list:
            return MultiCheckboxField(hint.label, choices=hint.choices.choices(), **options)
        # No Optional() here: it would clear "Not a valid choice" for an empty or missing value,
        # and the code column's CHECK constraint would refuse it later. Left out of a POST, a
        # field with a default takes it, as the form shows it selected.
        options["validators"] = [DataRequired()] if required else []
        if info.default not in (None, PydanticUndefined):
            options["default"] = info.default
        return SelectField(hint.label, choices=hint.choices.choices(), **options)
    if kind is bool:
        return BooleanField(hint.label, description=description, default=info.default is True)
    if kind in (int, float, Decimal):
        low, high = _bounds(info)
        if low is not None or high is not None:
            validators.append(NumberRange(min=low, max=high))
        cls = {int: IntegerField, float: FloatField, Decimal: DecimalField}[kind]
        return cls(hint.label, **options)
    if kind is datetime.date:
        return PortalDateField(hint.label, **options)
    maximum = _max_length(info)
    if maximum is not None:
        validators.append(Length(max=maximum, message=TOO_LONG))
    if hint.pattern is not None:
        validators.append(Regexp(hint.pattern, message=hint.pattern_message))
    if hint.widget == EMAIL:
        validators.append(Email())
        return EmailField(hint.label, **options)
    if hint.widget == URL:
        validators.extend([ValidURL(require_tld=False), http_address])
        return URLField(hint.label, **options)
    if hint.widget in (TEXTAREA, MARKDOWN):
        return TextAreaField(hint.label, **options)
    return StringField(hint.label, **options)


def model_form(
    model, *, name: str | None = None, only=None, exclude=(), base=FlaskForm
) -> type[FlaskForm]:
    """A form class with one field per declared field of ``model`` (``only``/``exclude`` pick).

    Subclass the result to add fields that are not columns or to refine one (the subclass wins).
    """
    declared = declared_fields(model)
    names = [n for n in (only or declared) if n in declared and n not in set(exclude)]
    attrs: dict[str, Any] = {n: form_field(declared[n]) for n in names}
    attrs["MODEL_FIELDS"] = tuple(names)
    return type(name or f"{model.__name__}Form", (base,), attrs)


def form_values(form: FlaskForm, names=None) -> dict[str, Any]:
    """The submitted values of the model fields (text stripped; an empty optional text is "")."""
    values: dict[str, Any] = {}
    for name in names or form.MODEL_FIELDS:
        field = getattr(form, name)
        value = field.data
        if isinstance(value, str):
            value = value.strip()
        elif value is None and isinstance(field, StringField | TextAreaField | SelectField):
            value = ""
        values[name] = value
    return values
