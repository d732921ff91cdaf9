"""PEC cycler CSV exports: a ``Key:,Value`` preamble (with a ``#RESULTS CHECK`` block), then
the data header.

Units are in the headers (``Voltage (mV)``, ``Current (mA)``, ``Charge Capacity (mAh)``) and
PEC names its energy counters ``Charge Capacity (mWh)`` / ``Discharge Capacity (mWh)``. The
counters are cumulative within a cycle and restart at zero when the cycle number changes;
cycles are numbered from 0 (kept: cycle numbers are the cycler's own). Currents are signed
(discharge negative); an export with unsigned currents is signed from its counters.
"""

import contextlib
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from . import canonical, tabular
from .columns import Column, column_map, locate, read_types, scaled, split_header
from .errors import IngestError
from .header import HeaderRow, Sniff
from .normalise import RawTable, seconds_of, segment_boundary

# The time column is found apart (PEC spells its units out); the energy counters may be named
# "Capacity" too, told apart by their unit (mWh).
FIELDS = column_map(
    {
        canonical.TEST_TIME: None,
        canonical.CYCLE: ("cycle",),
        canonical.STEP: ("step",),
        canonical.CHARGE_ENERGY: ("chargecapacity", "chargeenergy"),
        canonical.DISCHARGE_ENERGY: ("dischargecapacity", "dischargeenergy"),
        canonical.TEMPERATURE: (
            "cellsurfacetemperature",
            "celltemperature",
            "temperature",
            "ambienttemperature",
        ),
    }
)
# PEC spells its time units out: "(Seconds)", "(Minutes)", "(Decimal Hours)" or clock text
# "(Hours in hh:mm:ss.xxx)".
TIME_UNITS = {"seconds": 1.0, "minutes": 60.0, "decimalhours": 3600.0, "hoursinhh:mm:ss.xxx": 1.0}
PREAMBLE_DATE = "%m/%d/%Y %H:%M:%S"  # PEC writes US dates: 02/22/2019 16:21:35


def read(path: Path, sniffed: Sniff) -> RawTable:
    """Read a PEC CSV export and the test's metadata from its preamble."""
    columns = tabular.header(path, sniffed)
    found = locate(columns, FIELDS)
    time = _time_column(columns)
    if time is None or canonical.CURRENT not in found or canonical.VOLTAGE not in found:
        raise IngestError("This PEC export lacks its Total Time, Voltage or Current column.")
    flags: list[str] = []
    plan, lines = tabular.scan(path, sniffed, read_types(found, time.name))

    def prepare(frame: pl.LazyFrame) -> pl.LazyFrame:
        frame = frame.select(
            *scaled(found), (seconds_of(frame, time.name) * time.scale).alias(canonical.TEST_TIME)
        )
        frame, signed = _signed_current(frame)
        if signed:
            flags.append(
                "The current column is unsigned: discharge steps were given a negative current "
                "from the discharge capacity counter."
            )
        return frame

    return RawTable(
        plan,
        cycle_label="Cycle",
        flags=flags,
        metadata=_metadata(path, sniffed.header_line),
        expected_rows=lines,
        prepare=prepare,
    )


def _time_column(columns: list[str]) -> Column | None:
    for name in columns:
        base, unit = split_header(name)
        if base == "totaltime" and unit in TIME_UNITS:
            return Column(name, TIME_UNITS[unit])
    return None


def _signed_current(frame: pl.LazyFrame) -> tuple[pl.LazyFrame, bool]:
    """Sign an unsigned current by which counter grows over each step (discharge: negative)."""
    columns = frame.collect_schema().names()
    if canonical.DISCHARGE_CAPACITY not in columns or canonical.CHARGE_CAPACITY not in columns:
        return frame, False
    keys = [name for name in (canonical.CYCLE, canonical.STEP) if name in columns]
    current = pl.col(canonical.CURRENT)
    checks = (
        frame.select(
            current.min().alias("low"),
            current.max().alias("high"),
            pl.all_horizontal(True, *(_small_whole(name) for name in keys)).alias("keyable"),
        )
        .collect(engine="streaming")
        .row(0, named=True)
    )
    if (checks["low"] or 0.0) < 0 or not (checks["high"] or 0.0) > 0:
        return frame, False
    discharging = (_by_step_key if checks["keyable"] else _by_segment)(frame, keys)
    if discharging is None:
        return frame, False
    return frame.with_columns(
        pl.when(discharging).then(-current).otherwise(current).alias(canonical.CURRENT)
    ), True


def _gain(name: str) -> pl.Expr:
    return (pl.col(name).max() - pl.col(name).min()).fill_null(0.0)


DISCHARGES = (_gain(canonical.DISCHARGE_CAPACITY) > _gain(canonical.CHARGE_CAPACITY)).alias(
    "discharging"
)
KEY_BITS = 31  # a cycle or step number below 2**31 packs into half of one Int64 key


def _small_whole(name: str) -> pl.Expr:
    """Whether every value of ``name`` is a whole number from 0 to below 2**KEY_BITS."""
    value = pl.col(name)
    whole = (value >= 0) & (value < 2**KEY_BITS) & (value == value.floor())
    return whole.fill_null(False).all()


def _by_step_key(frame: pl.LazyFrame, keys: list[str]) -> pl.Expr | None:
    """Each row's direction, looked up by its (cycle, step) pair: row by row, so the final
    plan streams. Only when every pair is one unbroken run of rows, that is, one step;
    otherwise the direction of each run is worked out apart (`_by_segment`)."""
    key = pl.lit(0, dtype=pl.Int64)
    for name in keys:
        key = key * 2**KEY_BITS + pl.col(name).cast(pl.Int64)
    steps = (
        frame.with_row_index("row")
        .group_by(key.alias("key"))
        .agg(
            DISCHARGES,
            unbroken=pl.col("row").max() - pl.col("row").min() + 1 == pl.len(),
        )
        .collect(engine="streaming")
    )
    if not steps.get_column("unbroken").all():
        return _by_segment(frame, keys)
    return _one_of(key, steps.filter("discharging").get_column("key"))


def _by_segment(frame: pl.LazyFrame, keys: list[str]) -> pl.Expr | None:
    """Each row's direction by the run of rows with one (cycle, step) it belongs to: exact for
    any numbering, but its running count holds the whole column in memory."""
    step = segment_boundary(*keys).cum_sum()
    # One row per step (a small table), then each record looks its step up.
    steps = (
        frame.select(step.alias("step"), canonical.CHARGE_CAPACITY, canonical.DISCHARGE_CAPACITY)
        .group_by("step")
        .agg(DISCHARGES)
        .collect(engine="streaming")
    )
    return _one_of(step, steps.filter("discharging").get_column("step"))


def _one_of(expr: pl.Expr, discharging: pl.Series) -> pl.Expr | None:
    # is_in streams; replace_strict with a mapping of this size runs the whole plan in memory.
    return expr.is_in(discharging.implode()) if discharging.len() else None


def _metadata(path: Path, header_line: int) -> dict[str, Any]:
    """The ``Key:,Value`` lines before the header: test number, start time, test temperature."""
    values: dict[str, str] = {}
    with open(path, encoding="utf-8", errors="replace") as handle:
        for index, line in enumerate(handle):
            if index >= header_line:
                break
            key, _, rest = line.partition(",")
            if key.endswith(":"):
                values[key[:-1].strip().lower()] = rest.split(",", 1)[0].strip()
    out: dict[str, Any] = {"cycler": "PEC"}
    if values.get("test"):
        out["test_name"] = values.get("test description") or f"Test {values['test']}"
    with contextlib.suppress(ValueError):
        start = datetime.strptime(values.get("start time", ""), PREAMBLE_DATE)
        out["start_time"] = start.isoformat()
    temperature = re.fullmatch(r"(-?\d+(?:\.\d+)?)\s*(?:°?C)?", values.get("test temp", ""))
    if temperature:
        out["temperature_c"] = float(temperature.group(1))
    return out


PEC_ONLY = {"reasoncode", "loadontime", "positionstarttime"}


def is_header(row: HeaderRow) -> bool:
    """PEC's total time, cycle, step, voltage and current, with a column only PEC writes."""
    return {"totaltime", "cycle", "step", "voltage", "current"} <= row.keys and bool(
        row.keys & PEC_ONLY
    )
