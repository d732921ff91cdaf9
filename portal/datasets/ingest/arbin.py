"""Arbin CSV exports (``Test_Time(s)`` / unit-less ``Test_Time`` headers)."""

from pathlib import Path

from . import canonical, tabular
from .header import HeaderRow, Sniff
from .normalise import RawTable

FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    canonical.TEST_TIME: (("testtime",), "time"),
    canonical.CYCLE: (("cycleindex",), "index"),
    canonical.STEP: (("stepindex",), "index"),
    canonical.CURRENT: (("current",), "current"),
    canonical.VOLTAGE: (("voltage",), "voltage"),
    canonical.CHARGE_CAPACITY: (("chargecapacity",), "capacity"),
    canonical.DISCHARGE_CAPACITY: (("dischargecapacity",), "capacity"),
    canonical.CHARGE_ENERGY: (("chargeenergy",), "energy"),
    canonical.DISCHARGE_ENERGY: (("dischargeenergy",), "energy"),
    canonical.TEMPERATURE: (
        ("temperature", "celltemperature", "auxtemperature1", "temperature1"),
        "temperature",
    ),
}


def is_header(row: HeaderRow) -> bool:
    """Arbin's header names test time, cycle index, current and voltage."""
    return {"testtime", "cycleindex", "current", "voltage"} <= row.keys


def read(path: Path, sniffed: Sniff) -> RawTable:
    """Read an Arbin CSV; counters are cumulative per cycle or per test."""
    return tabular.read_located(path, sniffed, FIELDS, cycle_label="Cycle_Index")
