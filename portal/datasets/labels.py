"""Human labels of the datasets' codes, for templates (declared once, on the models)."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.datasets.ingest.summarise import SohStatus
from portal.vocabulary import (
    AccessRequestStatus,
    CellType,
    Chemistry,
    Choices,
    FileStatus,
    TestType,
    Visibility,
)

VOCABULARIES: dict[str, type[Choices]] = {
    "chemistry": Chemistry,
    "test_type": TestType,
    "visibility": Visibility,
    "file_status": FileStatus,
    "access_status": AccessRequestStatus,
    "cell_type": CellType,
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


def soh_text(dataset_file) -> str:
    """Cycles to 80 % state of health as the page states it: a number, or why there is none."""
    status = getattr(dataset_file, "soh_status", "")
    if status == SohStatus.NOT_ENOUGH_CYCLES:
        return _("not enough cycles")
    if dataset_file.cycles_to_80_soh is not None:
        return str(dataset_file.cycles_to_80_soh)
    if status == SohStatus.NO_REFERENCE:
        return _("no reference capacity")
    return _("not reached")
