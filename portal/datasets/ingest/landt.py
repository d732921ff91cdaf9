"""Landt CSV export (preamble lines, then ``cycle_index, step_index, test_time_s, current_A ...``)."""

from pathlib import Path

from . import canonical, tabular
from .header import HeaderRow, Sniff
from .normalise import RawTable

FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    canonical.TEST_TIME: (("testtimes",), "index"),
    canonical.CYCLE: (("cycleindex",), "index"),
    canonical.STEP: (("stepindex",), "index"),
    canonical.CURRENT: (("currenta",), "index"),
    canonical.VOLTAGE: (("voltagev",), "index"),
    canonical.CHARGE_CAPACITY: (("chargecapacityah",), "index"),
    canonical.DISCHARGE_CAPACITY: (("dischargecapacityah",), "index"),
    canonical.CHARGE_ENERGY: (("chargeenergywh",), "index"),
    canonical.DISCHARGE_ENERGY: (("dischargeenergywh",), "index"),
    canonical.TEMPERATURE: (("temperature1c", "temperaturec"), "index"),
}


def is_header(row: HeaderRow) -> bool:
    """Landt's exact column names, units after an underscore."""
    return {"test_time_s", "current_a", "voltage_v"} <= row.raw


def read(path: Path, sniffed: Sniff) -> RawTable:
    """Read a Landt CSV; its capacity and energy counters restart at every step."""
    return tabular.read_located(
        path, sniffed, FIELDS, reset_each_step=True, cycle_label="cycle_index"
    )
