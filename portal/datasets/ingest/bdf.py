"""Battery Data Format CSV, with machine names (``test_time_second``) or labels (``Test Time / s``)."""

from pathlib import Path

from . import canonical, tabular
from .header import HeaderRow, Sniff
from .normalise import RawTable

# Each quantity by its label base (unit after " / ") and by its machine name (unit built in).
FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    canonical.TEST_TIME: (("testtime", "testtimesecond"), "time"),
    canonical.CYCLE: (("cyclecount",), "index"),
    canonical.STEP: (("stepindex", "stepcount"), "index"),
    canonical.CURRENT: (("current", "currentampere"), "current"),
    canonical.VOLTAGE: (("voltage", "voltagevolt"), "voltage"),
    canonical.CHARGE_CAPACITY: (("chargingcapacity", "chargingcapacityah"), "capacity"),
    canonical.DISCHARGE_CAPACITY: (("dischargingcapacity", "dischargingcapacityah"), "capacity"),
    canonical.CHARGE_ENERGY: (("chargingenergy", "chargingenergywh"), "energy"),
    canonical.DISCHARGE_ENERGY: (("dischargingenergy", "dischargingenergywh"), "energy"),
    canonical.TEMPERATURE: (
        (
            "surfacetemperature",
            "surfacetemperaturecelsius",
            "ambienttemperature",
            "ambienttemperaturecelsius",
        ),
        "temperature",
    ),
}


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
