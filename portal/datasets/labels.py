"""Human labels of the datasets' codes, for templates (declared once, on the models)."""

from __future__ import annotations

from portal.datasets.models import AccessRequestStatus, FileStatus, TestType, Visibility
from portal.vocabulary import Chemistry, Choices

VOCABULARIES: dict[str, type[Choices]] = {
    "chemistry": Chemistry,
    "test_type": TestType,
    "visibility": Visibility,
    "file_status": FileStatus,
    "access_status": AccessRequestStatus,
}


def dataset_label(vocabulary: str, code) -> str:
    """The human label of a dataset code (chemistry, test type, visibility, file status)."""
    choices = VOCABULARIES.get(vocabulary)
    text = str(code if code is not None else "")
    return choices.label_of(text) if choices is not None else text


def dataset_choices(vocabulary: str) -> list[tuple[str, object]]:
    """(code, label) pairs of one vocabulary, for filter menus."""
    choices = VOCABULARIES.get(vocabulary)
    return choices.choices() if choices is not None else []
