"""Declare a record's field once, on its model: the column, its limits, its label and help text.

``field(_l("Cycle life (cycles to 80 %)"), ge=0, le=1_000_000)`` is an ordinary SQLModel
``Field`` that also carries a ``FieldHint``. Forms (``portal.modelforms``), the API schema and
the generated OpenAPI read everything they need from this one declaration.

A column of codes (``field(..., choices=Role)``, or ``code_field(FileStatus)`` for one no form
sets) gets its CHECK constraint ``<column>_valid`` from that declaration too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from pydantic.fields import FieldInfo
from sqlalchemy import CheckConstraint, Column, Table, event
from sqlmodel import Field, SQLModel

from portal.db import utcnow
from portal.vocabulary import Choices

# The one rule for short names in addresses (technologies, organisations, datasets).
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MESSAGE = _l("Lower-case letters, digits, hyphens.")

TEXTAREA = "textarea"
MARKDOWN = "markdown"
EMAIL = "email"
URL = "url"
CHECKBOXES = "checkboxes"


@dataclass(frozen=True)
class FieldHint:
    """What a form needs beyond the column: label, help, widget, choices, whether it is required."""

    label: Any
    help: Any = None
    widget: str | None = None
    choices: type[Choices] | None = None
    required: bool = False
    pattern: str | None = None
    pattern_message: Any = None


def field(
    label,
    *,
    help=None,
    widget: str | None = None,
    choices: type[Choices] | None = None,
    required: bool = False,
    pattern: str | None = None,
    pattern_message=None,
    **column: Any,
) -> Any:
    """A model field (SQLModel ``Field`` keywords in ``column``) with what its forms show."""
    extra: dict[str, Any] = {}
    if choices is not None:
        extra["enum"] = list(choices.values())
    if pattern is not None:
        extra["pattern"] = pattern
    if extra:
        column.setdefault("schema_extra", {})["json_schema_extra"] = extra
    if choices is not None and widget != CHECKBOXES:  # a set of checkboxes holds a list, not a code
        _hold_codes(column, choices)
    # The English label documents the field in the OpenAPI schema.
    column.setdefault("description", str(help or label))
    info = Field(**column)
    info.metadata.append(
        FieldHint(label, help, widget, choices, required, pattern, pattern_message)
    )
    return info


def actor_field(*, index: bool = False) -> Any:
    """Who made, uploaded or decided something: deleting that user keeps the row, unlinked."""
    return Field(default=None, foreign_key="user_account.id", index=index, ondelete="SET NULL")


def code_field(codes: type[Choices], **column: Any) -> Any:
    """A column holding one of ``codes`` that no form sets (a status the services move)."""
    column.setdefault("schema_extra", {})["json_schema_extra"] = {"enum": list(codes.values())}
    return Field(**_hold_codes(column, codes))


def _hold_codes(column: dict[str, Any], codes: type[Choices]) -> dict[str, Any]:
    column.setdefault("sa_column_kwargs", {}).setdefault("info", {})["codes"] = codes
    return column


@event.listens_for(Column, "after_parent_attach")
def _check_codes(column: Column, parent: Any) -> None:
    codes = column.info.get("codes")
    if codes is not None and isinstance(parent, Table):
        parent.append_constraint(
            CheckConstraint(codes.sql_check(column.name), name=f"{column.name}_valid")
        )


def slug_field(help, *, max_length: int = 80) -> Any:
    """A record's unique short name in its addresses, under the one slug rule."""
    return field(
        _l("Short name"),
        help=help,
        max_length=max_length,
        unique=True,
        pattern=SLUG_PATTERN,
        pattern_message=SLUG_MESSAGE,
    )


def hint_of(info: FieldInfo) -> FieldHint | None:
    """The form hint of a declared field, or None for plain columns (ids, versions, flags)."""
    return next((item for item in info.metadata if isinstance(item, FieldHint)), None)


def declared_fields(model) -> dict[str, FieldInfo]:
    """The fields of ``model`` declared with ``field()``, in declaration order."""
    return {name: info for name, info in model.model_fields.items() if hint_of(info) is not None}


def field_names(model) -> tuple[str, ...]:
    """Names of every field of a model or schema (the allow-list of what a form may set)."""
    return tuple(model.model_fields)


class VersionedRecord(SQLModel):
    """The columns of a record people edit: its version (a stale form is a conflict, see
    portal.changes) and when it was created and last changed."""

    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
