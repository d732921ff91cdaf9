"""Neware BTS CSV record export: ``hh:mm:ss`` times and counters that restart at every step."""

from pathlib import Path

import polars as pl

from . import canonical, tabular
from .columns import find, locate, read_types, scaled, split_header
from .header import HeaderRow, Sniff
from .normalise import RawTable, duration_seconds, elapsed_seconds_of

FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    canonical.CYCLE: (("cycleindex", "cycleid", "cycle"), "index"),
    canonical.STEP: (("stepindex", "stepid", "step"), "index"),
    canonical.CURRENT: (("current", "cur"), "current"),
    canonical.VOLTAGE: (("voltage",), "voltage"),
    canonical.CHARGE_CAPACITY: (("chgcap", "capacitancechg", "chargecapacity"), "capacity"),
    canonical.DISCHARGE_CAPACITY: (("dchgcap", "capacitancedchg", "dischargecapacity"), "capacity"),
    canonical.CHARGE_ENERGY: (("chgenergy", "engychg", "chargeenergy"), "energy"),
    canonical.DISCHARGE_ENERGY: (("dchgenergy", "engydchg", "dischargeenergy"), "energy"),
    canonical.TEMPERATURE: (("temperature", "t1", "auxiliarytemperature"), "temperature"),
}
# Total test time, in ``h:mm:ss`` text or in seconds; else a wall-clock column.
TIME_BASES = ("cumulativetime", "totaltime", "testtime")
CLOCK_BASES = ("realtime", "date", "datetime", "absolutetime", "systemtime")


def is_header(row: HeaderRow) -> bool:
    """Neware's cycle, step, capacity and voltage columns, under any of their names."""
    keys = row.keys
    cycle = keys & {"cycleindex", "cycleid", "cycle"}
    step = keys & {"stepindex", "stepid", "step"}
    capacity = keys & {"chgcap", "dchgcap", "capacitancechg", "capacitancedchg", "capacity"}
    return bool(cycle and step and capacity and keys & {"voltage"})


def read(path: Path, sniffed: Sniff) -> RawTable:
    """Read a Neware CSV and convert its clock-format (or wall-clock) test time to seconds."""
    columns = tabular.header(path, sniffed)
    found = locate(columns, FIELDS)
    flags: list[str] = []
    time = find(columns, TIME_BASES, "time")
    clock = next((name for name in columns if split_header(name)[0] in CLOCK_BASES), None)
    if time is None and clock is None:
        time = find(columns, ("time",), "time")
        flags.append("No total test time column: the per-step 'Time' column was used.")
    text = time.name if time is not None else clock
    types = read_types(found) if text is None else read_types(found, text)
    plan, lines = tabular.scan(path, sniffed, types)
    exprs = scaled(found)
    if time is not None:
        # Clock text and plain seconds are both read row by row: no pass over the data first.
        exprs.append((duration_seconds(pl.col(time.name)) * time.scale).alias(canonical.TEST_TIME))
    elif clock is not None:
        exprs.append(elapsed_seconds_of(plan, clock).alias(canonical.TEST_TIME))
    return RawTable(
        plan.select(exprs),
        reset_each_step=True,
        cycle_label="Cycle Index",
        flags=flags,
        expected_rows=lines,
    )
