"""Human labels of the licence applications' codes, for templates and mails."""

from __future__ import annotations

from portal.vocabulary import Choices, CompanySize, LicenceType, Stage

VOCABULARIES: dict[str, type[Choices]] = {
    "stage": Stage,
    "licence_type": LicenceType,
    "company_size": CompanySize,
}


def licensing_label(vocabulary: str, code) -> str:
    """The label of a stage, licence type or company size code."""
    choices = VOCABULARIES.get(vocabulary)
    return choices.label_of(code) if choices else str(code or "")
