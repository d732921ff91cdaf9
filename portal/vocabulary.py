"""Closed sets of codes with their human labels, each declared once (code, label) and read by
models (check constraints), forms (choices), templates (labels) and the API (enums)."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Choices(StrEnum):
    """A StrEnum whose members carry a translatable label: ``LI_ION = "li_ion", _l("Lithium-ion")``."""

    def __new__(cls, value: str, label=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label if label is not None else value.replace("_", " ").capitalize()
        return member

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """Every code, in declaration order."""
        return tuple(member.value for member in cls)

    @classmethod
    def choices(cls) -> list[tuple[str, object]]:
        """(code, label) pairs for a select field."""
        return [(member.value, member.label) for member in cls]

    @classmethod
    def labels(cls) -> dict[str, object]:
        """{code: label} for templates."""
        return {member.value: member.label for member in cls}

    @classmethod
    def label_of(cls, code) -> str:
        """The label of a code as text, or the code itself when it is not one of ours."""
        try:
            return str(cls(str(code)).label)
        except ValueError:
            return str(code or "")

    @classmethod
    def sql_check(cls, column: str) -> str:
        """A CHECK constraint body allowing exactly these codes in ``column``."""
        return f"{column} IN ({', '.join(repr(member.value) for member in cls)})"


class Chemistry(Choices):
    """Cell chemistry of a technology or a dataset."""

    LI_ION = "li_ion", _l("Lithium-ion")
    NA_ION = "na_ion", _l("Sodium-ion")
    LI_POLYMER = "li_polymer", _l("Lithium-polymer")
    OTHER = "other", _l("Other")
