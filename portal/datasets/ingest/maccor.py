"""Maccor text exports: the ``Rec#/Amp-hr/State`` dialect and the ``Cap. [Ah]/Md`` one.

Both log one unsigned capacity (and energy) counter that restarts at every step; the state
letter (C charge, D discharge, R rest, O other ...) says which way it counts and signs the
current.
"""

from pathlib import Path

import polars as pl

from . import canonical, tabular
from .columns import find, locate, read_types, scaled
from .errors import IngestError
from .header import HeaderRow, Sniff
from .normalise import RawTable, seconds_of, split_by_state

FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    canonical.CYCLE: (("cyclec", "cyc", "cycle", "cyclep"), "index"),
    canonical.STEP: (("step",), "index"),
    canonical.CURRENT: (("amps", "current"), "current"),
    canonical.VOLTAGE: (("volts", "voltage"), "voltage"),
    "capacity": (("amphr", "cap", "capacity"), "capacity"),
    "energy": (("watthr", "ener", "energy"), "energy"),
    canonical.TEMPERATURE: (("temp1", "temperature"), "temperature"),
}
TIME_BASES = ("testtime", "test", "testsec")
STATE_BASES = ("state", "md")


def is_header(row: HeaderRow) -> bool:
    """Maccor's record number, capacity and state (or mode) columns."""
    keys = row.keys
    return bool(
        keys & {"rec", "recnum"} and keys & {"amphr", "cap", "capacity"} and keys & {"state", "md"}
    )


def read(path: Path, sniffed: Sniff) -> RawTable:
    """Read a Maccor export, sign the current and split its counter into charge/discharge."""
    columns = tabular.header(path, sniffed)
    found = locate(columns, FIELDS)
    time = find(columns, TIME_BASES, "time")
    state = find(columns, STATE_BASES, "index")
    if time is None or state is None or "capacity" not in found:
        raise IngestError("This Maccor export lacks its test time, state or capacity column.")
    flags: list[str] = []
    plan, lines = tabular.scan(path, sniffed, read_types(found, time.name, state.name))

    def prepare(frame: pl.LazyFrame) -> pl.LazyFrame:
        frame = frame.select(
            *scaled(found),
            (seconds_of(frame, time.name) * time.scale).alias(canonical.TEST_TIME),
            pl.col(state.name).str.strip_chars().str.to_uppercase().alias("state"),
        )
        charging = pl.col("state").str.starts_with("C").fill_null(False)
        discharging = pl.col("state").str.starts_with("D").fill_null(False)
        # Row by row only: the normaliser makes the per-step counters cumulative in batches
        # (a whole-column running sum here would hold the whole table in memory).
        out = split_by_state(list(found), charging, discharging)
        return frame.with_columns(out).drop("state", "capacity", "energy", strict=False)

    return RawTable(
        plan,
        reset_each_step=True,
        cycle_label="cycle",
        flags=flags,
        expected_rows=lines,
        prepare=prepare,
    )
