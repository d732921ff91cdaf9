"""What readers share on the way to the canonical table: the raw table, clock-time parsing,
state-signed counters, the facts pass and the quality flags (running.py does the batches)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .canonical import (
    CHARGE_CAPACITY,
    CHARGE_ENERGY,
    COUNTER_COLUMNS,
    CURRENT,
    CYCLE,
    DISCHARGE_CAPACITY,
    DISCHARGE_ENERGY,
    MAX_ABS_VOLTAGE_V,
    SCHEMA,
    STEP,
    TEMPERATURE,
    TEMPERATURE_RANGE_C,
    TEST_TIME,
    VOLTAGE,
)

FLOAT_COLUMNS = [name for name, dtype in SCHEMA.items() if dtype == pl.Float64()]
_HMS = r"^(?:(\d+)[-\s])?(\d+):(\d{1,2}):(\d{1,2}(?:\.\d*)?)$"


@dataclass
class RawTable:
    """A reader's output: canonical column names, vendor counters not yet made cumulative."""

    frame: pl.DataFrame | pl.LazyFrame  # lazy when the reader can stream the file
    reset_each_step: bool = False  # the cycler restarts its counters at every step
    cumulative: bool = False  # the reader already rebuilt cumulative counters
    cycle_label: str = "cycle"  # the vendor's name for the cycle column, for flags
    flags: list[str] = field(default_factory=list)
    # What the file itself says about the test (keys in canonical.METADATA_KEYS); never guessed.
    metadata: dict[str, Any] = field(default_factory=dict)
    # Data lines in the file, when the frame is a lazy scan: fewer rows mean lost lines.
    expected_rows: int | None = None
    # Turns the scanned vendor columns into canonical ones once they can be queried cheaply
    # (the pipeline calls it on the scratch Parquet): for steps that depend on the data.
    prepare: Callable[[pl.LazyFrame], pl.LazyFrame] | None = None


def duration_seconds(expr: pl.Expr) -> pl.Expr:
    """Parse ``hh:mm:ss(.f)`` (hours may exceed 24, optional ``d-`` prefix) or plain seconds."""
    text = expr.cast(pl.String).str.strip_chars()
    # The pattern only says which rows are clock times; the fields come from a split, which is
    # several times faster than the pattern's capture groups on a column of millions.
    parts = text.str.splitn(":", 3)
    head = parts.struct.field("field_0")  # "h", or "d-h" / "d h" with a day prefix
    days = head.str.extract(r"^(\d+)[-\s]").cast(pl.Float64, strict=False).fill_null(0.0)
    hours = head.str.extract(r"(\d+)$").cast(pl.Float64, strict=False)
    minutes = parts.struct.field("field_1").cast(pl.Float64, strict=False)
    seconds = parts.struct.field("field_2").cast(pl.Float64, strict=False)
    clock = days * 86400.0 + hours * 3600.0 + minutes * 60.0 + seconds
    return (
        pl.when(text.str.contains(_HMS)).then(clock).otherwise(text.cast(pl.Float64, strict=False))
    )


def seconds(column: pl.Series) -> pl.Series:
    """Seconds from a text column of plain numbers or of clock times (the regex only if needed)."""
    if column.dtype == pl.String() and column.str.contains(":", literal=True).any():
        return column.to_frame().select(duration_seconds(pl.col(column.name))).to_series()
    return column.cast(pl.Float64, strict=False)


def seconds_of(frame: pl.LazyFrame, name: str) -> pl.Expr:
    """``seconds`` as an expression on a lazy table: the regex only if a clock time appears."""
    clock = frame.select(pl.col(name).cast(pl.String).str.contains(":", literal=True).any())
    if clock.collect(engine="streaming").item():
        return duration_seconds(pl.col(name))
    return pl.col(name).cast(pl.Float64, strict=False)


# Date-time layouts tried on a column's first rows. Named in the plan, a layout lets the plan
# stream; left for polars to infer, it makes polars run the whole plan in memory.
DATETIME_FORMATS = tuple(
    f"{day}{between}{clock}"
    for day in ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%d.%m.%Y")
    for between in (" ", "T")
    for clock in ("%H:%M:%S", "%H:%M:%S%.f", "%H:%M")
)
LAYOUT_SAMPLE_ROWS = 1000


def datetime_format(sample: pl.Series) -> str | None:
    """The layout of date-time text that reads ``sample`` as polars' own inference does; None
    when no layout in DATETIME_FORMATS does (or nothing in it reads as a date)."""
    try:
        inferred = sample.str.to_datetime(strict=False, time_unit="us")
    except pl.exceptions.ComputeError:  # polars finds no layout either
        return None
    if inferred.null_count() == sample.len():
        return None
    for layout in DATETIME_FORMATS:
        if sample.str.to_datetime(layout, strict=False, time_unit="us").equals(inferred):
            return layout
    return None


def elapsed_seconds_of(frame: pl.LazyFrame, name: str) -> pl.Expr:
    """Seconds since the first timestamp of a date-time text column on a lazy table, row by row.

    The layout and the first timestamp are looked up first, reading only the first rows."""
    text = pl.col(name).str.strip_chars()
    sample = frame.select(text).drop_nulls().head(LAYOUT_SAMPLE_ROWS).collect(engine="streaming")
    layout = datetime_format(sample.to_series())
    stamp = text.str.to_datetime(layout, strict=False, time_unit="us")
    first = frame.select(stamp).drop_nulls().head(1).collect(engine="streaming")
    if first.is_empty():
        return pl.lit(None, dtype=pl.Float64)
    start = first.item()
    return (stamp - pl.lit(start, dtype=pl.Datetime("us"))).dt.total_microseconds() / 1e6


def segment_boundary(*keys: str) -> pl.Expr:
    """True on rows where any of ``keys`` differs from the previous row (not on the first row)."""
    changed = pl.lit(False)
    for name in keys:
        changed = changed | (pl.col(name) != pl.col(name).shift(1)).fill_null(False)
    return changed


def counter_increments(counter: pl.Expr, boundary: pl.Expr, reset_each_step: bool) -> pl.Expr:
    """Per-row increase of a restarting vendor counter (the first row counts from zero)."""
    value = counter.abs().forward_fill().fill_null(0.0)
    previous = value.shift(1)
    restarted = value < previous * 0.5
    if reset_each_step:
        restarted = restarted | boundary
    return (
        pl.when(previous.is_null() | restarted)
        .then(value)
        .otherwise(value - previous)
        .fill_null(0.0)
    )


def lost_lines(expected: int | None, rows: int) -> list[str]:
    """The flag for data lines of a text file that did not come out as rows, if any."""
    if expected is None or rows >= expected:
        return []
    return [f"{expected - rows} lines could not be read as rows (unbalanced quotes?)."]


def facts(frame: pl.LazyFrame, present: set[str], floats: list[str]) -> dict:
    """One aggregate pass: row counts, non-finite cells, null counts, counter minima, and what
    deriving cycles needs; counted as if non-finite cells were null and blank rows gone."""
    finite = {
        name: pl.when(pl.col(name).is_finite()).then(pl.col(name)).otherwise(None)
        for name in floats
    }
    kept = ~pl.all_horizontal(finite[name].is_null() for name in (TEST_TIME, VOLTAGE, CURRENT))
    cycle = pl.col(CYCLE).cast(pl.Int64, strict=False) if CYCLE in present else None
    step = pl.col(STEP).cast(pl.Int64, strict=False) if STEP in present else None
    columns = [name for name in (CYCLE, *COUNTER_COLUMNS) if name in present]
    aggregates = [
        pl.len().alias("_rows"),
        kept.sum().alias("_height"),
        (finite[CURRENT].filter(kept).fill_null(0.0).abs().max() * 1e-3)
        .fill_null(0.0)
        .alias("current_limit"),
        *(
            (pl.col(name).is_nan() | pl.col(name).is_infinite()).any().alias(f"{name}_nonfinite")
            for name in floats
        ),
    ]
    for name in columns:
        value = cycle if name == CYCLE else finite[name]
        aggregates.append(value.filter(kept).null_count().alias(f"{name}_nulls"))
        aggregates.append(value.filter(kept).min().alias(f"{name}_min"))
    if cycle is not None:
        aggregates.append(cycle.filter(kept).drop_nulls().first().alias("_first_cycle"))
    if step is not None:
        aggregates.append(step.filter(kept).null_count().alias("_step_nulls"))
    facts = frame.select(aggregates).collect(engine="streaming").row(0, named=True)
    for name in (CYCLE, *COUNTER_COLUMNS):
        facts.setdefault(f"{name}_nulls", facts["_height"])
        facts.setdefault(f"{name}_min", None)
    facts["steps"] = facts.get("_step_nulls", facts["_height"]) < facts["_height"]
    return facts


QUALITY_MESSAGES = {
    "missing": "{n} rows have a missing, non-numeric or infinite time, voltage or current.",
    "backwards": "{n} times the test time goes backwards (non-monotonic time).",
    "voltage": f"{{n}} rows have an impossible voltage (|V| > {MAX_ABS_VOLTAGE_V:g} V).",
    "temperature": f"{{n}} rows have a temperature outside {TEMPERATURE_RANGE_C[0]:g} to "
    f"{TEMPERATURE_RANGE_C[1]:g} °C.",
    "cycles_back": "{n} times the cycle number goes down.",
    "negative_time": "{n} rows have a negative test time.",
}


def quality_counts(previous: dict[str, Any]) -> list[pl.Expr]:
    """Counts of impossible or odd records in a canonical batch, ``previous`` its last row."""
    low, high = TEMPERATURE_RANGE_C
    time, cycle = pl.col(TEST_TIME), pl.col(CYCLE)
    last_time, last_cycle = previous.get(TEST_TIME), previous.get(CYCLE)
    time_before = time.shift(1) if last_time is None else time.shift(1, fill_value=last_time)
    cycle_before = cycle.shift(1) if last_cycle is None else cycle.shift(1, fill_value=last_cycle)
    return [
        pl.any_horizontal(pl.col(TEST_TIME, VOLTAGE, CURRENT).is_null()).sum().alias("missing"),
        ((time - time_before) < 0).sum().alias("backwards"),
        (pl.col(VOLTAGE).abs() > MAX_ABS_VOLTAGE_V).sum().alias("voltage"),
        ((pl.col(TEMPERATURE) < low) | (pl.col(TEMPERATURE) > high)).sum().alias("temperature"),
        ((cycle - cycle_before) < 0).sum().alias("cycles_back"),
        (time < 0).sum().alias("negative_time"),
    ]


def quality_flags(counts: dict[str, int]) -> list[str]:
    """Data-quality flags of a canonical table from its ``quality_counts``."""
    return [QUALITY_MESSAGES[name].format(n=n) for name, n in counts.items() if n]


# The per-step counters of a state-logging format, and the charge and discharge columns of each.
STATE_COUNTERS = {
    "capacity": (CHARGE_CAPACITY, DISCHARGE_CAPACITY),
    "energy": (CHARGE_ENERGY, DISCHARGE_ENERGY),
}


def current_by_state(charging: pl.Expr, discharging: pl.Expr) -> pl.Expr:
    """The current signed by the logged state: positive on charge, negative on discharge."""
    magnitude = pl.col(CURRENT).abs()
    return (
        pl.when(charging)
        .then(magnitude)
        .when(discharging)
        .then(-magnitude)
        .otherwise(pl.col(CURRENT))
        .alias(CURRENT)
    )


def split_by_state(columns: list[str], charging: pl.Expr, discharging: pl.Expr) -> list[pl.Expr]:
    """Row by row, for formats that log direction as a state: the current signed (charge
    positive) and the per-step capacity and energy counters split into a charge and a discharge
    counter that restart at every step, for the normaliser to make cumulative batch by batch."""
    out = [current_by_state(charging, discharging)]
    for source, (charge, discharge) in STATE_COUNTERS.items():
        if source in columns:
            counter = pl.col(source).abs()
            out.append(pl.when(charging).then(counter).otherwise(0.0).alias(charge))
            out.append(pl.when(discharging).then(counter).otherwise(0.0).alias(discharge))
    return out


def signed_by_state(
    columns: list[str], charging: pl.Expr, discharging: pl.Expr, boundary: pl.Expr
) -> list[pl.Expr]:
    """For formats that log direction as a state, not a sign: the current signed (charge
    positive) and the per-step capacity and energy counters split into cumulative totals."""
    out = [current_by_state(charging, discharging)]
    for source, (charge, discharge) in STATE_COUNTERS.items():
        if source in columns:
            step = counter_increments(pl.col(source), boundary, reset_each_step=True)
            out.append(pl.when(charging).then(step).otherwise(0.0).cum_sum().alias(charge))
            out.append(pl.when(discharging).then(step).otherwise(0.0).cum_sum().alias(discharge))
    return out
