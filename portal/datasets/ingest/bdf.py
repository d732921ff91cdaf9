"""Battery Data Format CSV, with machine names (``test_time_second``) or labels (``Test Time / s``).

The BDF columns are declared once, here (``COLUMNS``): the reader matches them and the exporter
(``bdf_export``) writes them. Spec: https://github.com/battery-data-alliance/battery-data-format
"""

from dataclasses import dataclass
from pathlib import Path

from . import canonical, tabular
from .columns import key, split_header
from .header import HeaderRow, Sniff
from .normalise import RawTable

SPEC_URL = "https://github.com/battery-data-alliance/battery-data-format"
IRI_BASE = "https://w3id.org/battery-data-alliance/ontology/battery-data-format#"


@dataclass(frozen=True)
class BdfColumn:
    """One BDF quantity: its canonical column, preferred label, machine name and unit kind."""

    canonical: str
    label: str  # "Test Time / s": the header BDF prefers, and the one the export writes
    name: str  # "test_time_second"
    kind: str  # a columns.UNIT_SCALES kind
    # Other BDF headers read as the same quantity (first match wins, after this column's own).
    also: tuple[str, ...] = ()

    @property
    def iri(self) -> str:
        """The quantity's term in the BDF application ontology."""
        return IRI_BASE + self.name

    @property
    def unit(self) -> str:
        """The fixed unit, as the label writes it ("s", "Ah", "degC", "1")."""
        return self.label.rsplit(" / ", 1)[1]

    def bases(self) -> tuple[str, ...]:
        """Header keys matched on reading: label bases and machine names, in preference order."""
        keys: list[str] = []
        for text in (self.label, self.name, *self.also):
            base = split_header(text)[0] if " / " in text else key(text)
            if base not in keys:
                keys.append(base)
        return tuple(keys)


COLUMNS: tuple[BdfColumn, ...] = (
    BdfColumn(canonical.TEST_TIME, "Test Time / s", "test_time_second", "time"),
    BdfColumn(canonical.CYCLE, "Cycle Count / 1", "cycle_count", "index"),
    BdfColumn(
        canonical.STEP,
        "Step Index / 1",
        "step_index",
        "index",
        also=("Step Count / 1", "step_count"),
    ),
    BdfColumn(canonical.CURRENT, "Current / A", "current_ampere", "current"),
    BdfColumn(canonical.VOLTAGE, "Voltage / V", "voltage_volt", "voltage"),
    BdfColumn(
        canonical.CHARGE_CAPACITY, "Charging Capacity / Ah", "charging_capacity_ah", "capacity"
    ),
    BdfColumn(
        canonical.DISCHARGE_CAPACITY,
        "Discharging Capacity / Ah",
        "discharging_capacity_ah",
        "capacity",
    ),
    BdfColumn(canonical.CHARGE_ENERGY, "Charging Energy / Wh", "charging_energy_wh", "energy"),
    BdfColumn(
        canonical.DISCHARGE_ENERGY, "Discharging Energy / Wh", "discharging_energy_wh", "energy"
    ),
    # The canonical temperature is the cycler's probe on the cell: BDF's surface sensor T1.
    BdfColumn(
        canonical.TEMPERATURE,
        "Surface Temperature T1 / degC",
        "temperature_t1_celsius",
        "temperature",
        also=(
            "Surface Temperature / degC",
            "surface_temperature_celsius",
            "Ambient Temperature / degC",
            "ambient_temperature_celsius",
        ),
    ),
)

# Each quantity by its label bases and machine names (unit built in), for columns.locate.
FIELDS: dict[str, tuple[tuple[str, ...], str]] = {c.canonical: (c.bases(), c.kind) for c in COLUMNS}


def is_header(row: HeaderRow) -> bool:
    """BDF's machine-readable names, or its labels with units ("Test Time / s")."""
    return {"test_time_second", "voltage_volt", "current_ampere"} <= row.raw or {
        "testtime",
        "voltage",
        "current",
    } <= row.labelled


def read(path: Path, sniffed: Sniff) -> RawTable:
    """Read a BDF CSV; capacity/energy columns are optional and may restart per step."""
    return tabular.read_located(path, sniffed, FIELDS, cycle_label="Cycle Count")
