"""Landt CSV export (preamble lines, then ``cycle_index, step_index, test_time_s, current_A ...``)."""

from pathlib import Path

from . import canonical, tabular
from .columns import column_map
from .header import HeaderRow, Sniff
from .normalise import RawTable

# Landt glues the unit to each name (``current_A``): every column is read as it is, unscaled.
FIELDS = column_map(
    {
        canonical.TEST_TIME: ("testtimes",),
        canonical.CURRENT: ("currenta",),
        canonical.VOLTAGE: ("voltagev",),
        canonical.CHARGE_CAPACITY: ("chargecapacityah",),
        canonical.DISCHARGE_CAPACITY: ("dischargecapacityah",),
        canonical.CHARGE_ENERGY: ("chargeenergywh",),
        canonical.DISCHARGE_ENERGY: ("dischargeenergywh",),
        canonical.TEMPERATURE: ("temperature1c", "temperaturec"),
    },
    kind="index",
)


def is_header(row: HeaderRow) -> bool:
    """Landt's exact column names, units after an underscore."""
    return {"test_time_s", "current_a", "voltage_v"} <= row.raw


def read(path: Path, sniffed: Sniff) -> RawTable:
    """Read a Landt CSV; its capacity and energy counters restart at every step."""
    return tabular.read_located(
        path, sniffed, FIELDS, reset_each_step=True, cycle_label="cycle_index"
    )
