"""Cell and test metadata a file states (its header), copied onto the dataset where staff left
the field empty: one audited change, never overwriting what staff entered."""

from __future__ import annotations

import math
from typing import Any

import annotated_types
from sqlmodel import Session

from portal.changes import apply_changes
from portal.datasets.models import Dataset, DatasetFields, DatasetFile
from portal.fields import field_names

# canonical.METADATA_KEYS → the dataset field it fills (the others stay on the file only).
FROM_FILE: dict[str, str] = {
    "cycler": "cycler",
    "channel": "channel",
    "nominal_capacity_ah": "nominal_capacity_ah",
    "active_mass_g": "active_mass_g",
    "temperature_c": "temperature_c",
    "cathode": "cathode",
    "anode": "anode",
    "electrolyte": "electrolyte",
    "form_factor": "cell_format",
    "voltage_min_v": "voltage_min_v",
    "voltage_max_v": "voltage_max_v",
    "c_rate_charge": "c_rate_charge",
    "c_rate_discharge": "c_rate_discharge",
}
METADATA_FIELDS = tuple(dict.fromkeys(FROM_FILE.values()))


def _fits(name: str, value: Any) -> Any:
    """``value`` as the field takes it, or None when it does not fit the field's limits."""
    info = DatasetFields.model_fields[name]
    if info.annotation is str:
        text = str(value).strip()
        limit = next(
            (m.max_length for m in info.metadata if isinstance(m, annotated_types.MaxLen)), 200
        )
        return text[:limit] or None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    for bound in info.metadata:
        if isinstance(bound, annotated_types.Ge) and number < bound.ge:
            return None
        if isinstance(bound, annotated_types.Le) and number > bound.le:
            return None
    return number


def fill_from_file(db: Session, dataset: Dataset, dataset_file: DatasetFile, *, actor=None) -> dict:
    """Copy what the file states onto the dataset's empty metadata fields; returns the changes."""
    changes: dict[str, Any] = {}
    for key, name in FROM_FILE.items():
        if key not in (dataset_file.test_metadata or {}) or getattr(dataset, name) not in (
            None,
            "",
        ):
            continue
        value = _fits(name, dataset_file.test_metadata[key])
        if value is not None and name not in changes:
            changes[name] = value
    if changes:
        apply_changes(
            db,
            dataset,
            changes,
            allowed=field_names(DatasetFields),
            version=dataset.version,
            action="dataset.metadata_from_file",
            actor=actor,
            note={"file_id": dataset_file.id},
        )
    return changes
