"""Arbin CSV exports (``Test_Time(s)`` / unit-less ``Test_Time`` headers)."""

from pathlib import Path

from . import canonical, tabular
from .columns import column_map
from .header import HeaderRow, Sniff
from .normalise import RawTable

FIELDS = column_map(
    {canonical.TEMPERATURE: ("temperature", "celltemperature", "auxtemperature1", "temperature1")}
)


def is_header(row: HeaderRow) -> bool:
    """Arbin's header names test time, cycle index, current and voltage."""
    return {"testtime", "cycleindex", "current", "voltage"} <= row.keys


def read(path: Path, sniffed: Sniff) -> RawTable:
    """Read an Arbin CSV; counters are cumulative per cycle or per test."""
    return tabular.read_located(path, sniffed, FIELDS, cycle_label="Cycle_Index")
