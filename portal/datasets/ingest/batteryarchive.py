"""Battery Archive time-series CSV (``Test_Time (s)``, ``Cycle_Index``, ``Current (A)`` ...)."""

from pathlib import Path

from . import canonical, tabular
from .columns import column_map
from .header import HeaderRow, Sniff
from .normalise import RawTable

FIELDS = column_map(
    {
        canonical.STEP: None,
        # The cell's own temperature when logged, the chamber's otherwise.
        canonical.TEMPERATURE: ("celltemperature", "environmenttemperature"),
    }
)


def is_header(row: HeaderRow) -> bool:
    """Battery Archive's exact column names, units in parentheses."""
    return {"test_time (s)", "current (a)", "voltage (v)", "cycle_index"} <= row.raw


def read(path: Path, sniffed: Sniff) -> RawTable:
    """Read a Battery Archive time series; its counters restart every cycle."""
    return tabular.read_located(path, sniffed, FIELDS, cycle_label="Cycle_Index")
