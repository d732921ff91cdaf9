"""Turn a reader's table into the canonical one: cumulative counters, cycles, SI units, flags."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .canonical import (
    CAPACITY_COLUMNS,
    CHARGE_CAPACITY,
    CHARGE_ENERGY,
    COUNTER_COLUMNS,
    CURRENT,
    CYCLE,
    DISCHARGE_CAPACITY,
    DISCHARGE_ENERGY,
    ENERGY_COLUMNS,
    MAX_ABS_VOLTAGE_V,
    SCHEMA,
    STEP,
    TEMPERATURE,
    TEMPERATURE_RANGE_C,
    TEST_TIME,
    VOLTAGE,
)
from .errors import IngestError

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
    parts = text.str.extract_groups(_HMS)
    days = parts.struct.field("1").cast(pl.Float64, strict=False).fill_null(0.0)
    hours = parts.struct.field("2").cast(pl.Float64, strict=False)
    minutes = parts.struct.field("3").cast(pl.Float64, strict=False)
    seconds = parts.struct.field("4").cast(pl.Float64, strict=False)
    clock = days * 86400.0 + hours * 3600.0 + minutes * 60.0 + seconds
    return pl.when(hours.is_not_null()).then(clock).otherwise(text.cast(pl.Float64, strict=False))


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


def elapsed_seconds(expr: pl.Expr) -> pl.Expr:
    """Seconds since the first timestamp of a date-time text column."""
    stamp = expr.str.strip_chars().str.to_datetime(strict=False, time_unit="us")
    start = stamp.filter(stamp.is_not_null()).first()
    return (stamp - start).dt.total_microseconds() / 1e6


def segment_boundary(*keys: str) -> pl.Expr:
    """True on rows where any of ``keys`` differs from the previous row (not on the first row)."""
    changed = pl.lit(False)
    for name in keys:
        changed = changed | (pl.col(name) != pl.col(name).shift(1)).fill_null(False)
    return changed


def rebuild_counter(counter: pl.Expr, boundary: pl.Expr, reset_each_step: bool) -> pl.Expr:
    """Make a vendor counter that restarts from zero (at steps, or anywhere) cumulative.

    A restart is a drop below half the previous value (or, for cyclers that reset at every
    step, any step or cycle change); the value reached before each restart is carried as an
    offset, so the result is the counter plus everything accumulated before its last restart.
    Null cells (unparsable values) carry the previous value.
    """
    previous = counter.shift(1)
    restarted = counter < previous * 0.5
    if reset_each_step:
        restarted = restarted | boundary
    offset = pl.when(restarted).then(previous).otherwise(0.0).fill_null(0.0).cum_sum()
    return counter + offset


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


def _integrated(quantity: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Cumulative positive and negative parts of the trapezoidal time integral, in hours."""
    dt = pl.col(TEST_TIME).diff().clip(lower_bound=0.0).fill_null(0.0).fill_nan(0.0)
    q = quantity.fill_null(0.0)
    step = ((q + q.shift(1).fill_null(0.0)) * 0.5 * dt / 3600.0).fill_null(0.0)
    return step.clip(lower_bound=0.0).cum_sum(), (-step).clip(lower_bound=0.0).cum_sum()


def derive_cycles(frame: pl.DataFrame) -> pl.Series:
    """Number cycles from 1: a new one starts whenever the file's first direction comes back.

    Segments are steps when the file has step numbers, else runs of the same current sign;
    a segment's direction is the sign of its net charge (ignoring segments under 1 % of the
    largest, e.g. impedance measurements and rests).
    """
    facts = frame.select(
        steps=pl.col(STEP).null_count() < pl.len(),
        current_limit=(pl.col(CURRENT).fill_null(0.0).abs().max() * 1e-3).fill_null(0.0),
    ).row(0, named=True)
    return frame.select(_derived_cycles(frame.lazy(), facts).alias(CYCLE)).to_series()


def _derived_cycles(frame: pl.LazyFrame, facts: dict) -> pl.Expr:
    """``derive_cycles`` as an expression: one pass over the segments, then a lookup."""
    current = pl.col(CURRENT).fill_null(0.0)
    limit = facts["current_limit"]
    sign = pl.when(current > limit).then(1).when(current < -limit).then(-1).otherwise(0)
    key = pl.col(STEP) if facts["steps"] else sign
    dt = pl.col(TEST_TIME).diff().clip(lower_bound=0.0).fill_null(0.0).fill_nan(0.0)
    segment = (key != key.shift(1)).fill_null(True).cum_sum()
    per_segment = (
        frame.select(segment=segment, charge=current * dt)
        .group_by("segment")
        .agg(pl.col("charge").sum())
        .sort("segment")
        .collect(engine="streaming")
        .with_columns(threshold=pl.col("charge").abs().max() * 0.01)
        .with_columns(
            direction=pl.when(
                (pl.col("charge").abs() > pl.col("threshold")) & (pl.col("charge") != 0)
            )
            .then(pl.col("charge").sign())
            .otherwise(None)
        )
    )
    directions = per_segment.get_column("direction").drop_nulls()
    if directions.is_empty():
        return pl.lit(1, dtype=pl.Int64)
    first = directions.item(0)
    previous = pl.col("direction").shift(1).forward_fill()
    starts = ((pl.col("direction") == first) & (previous == -first)).fill_null(False)
    cycles = per_segment.select((starts.cum_sum() + 1).cast(pl.Int64).alias(CYCLE)).to_series()
    return segment.replace_strict(per_segment.get_column("segment"), cycles, return_dtype=pl.Int64)


def normalise(raw: RawTable) -> tuple[pl.DataFrame, list[str]]:
    """Return the canonical table and the data-quality flags found on the way.

    The lazy plan of ``normalise_lazy``, collected: small files and tests take this path,
    the ingest pipeline streams the same plan to Parquet instead.
    """
    plan, flags = normalise_lazy(raw)
    frame = plan.collect()
    return frame, flags + quality_flags(frame)


def normalise_lazy(raw: RawTable) -> tuple[pl.LazyFrame, list[str]]:
    """The canonical table as a lazy plan, and the flags found so far.

    Decisions that depend on the data (which counters exist, whether cycles must be derived)
    come from one aggregate pass; the plan itself is row-wise and running sums only, so it
    streams. ``quality_flags`` of the result completes the flags. Consumes ``raw``.
    """
    frame, raw.frame = raw.frame.lazy(), pl.DataFrame()
    if raw.prepare is not None:
        frame = raw.prepare(frame)
    present = set(frame.collect_schema().names())
    if VOLTAGE not in present or CURRENT not in present:
        raise IngestError("The file has no voltage or no current column.")
    if TEST_TIME not in present:
        raise IngestError("The file has no test time column.")

    floats = [name for name in FLOAT_COLUMNS if name in present]
    frame = frame.with_columns(pl.col(floats).cast(pl.Float64, strict=False))
    blank = pl.all_horizontal(pl.col(TEST_TIME, VOLTAGE, CURRENT).is_null())
    facts = _facts(frame, present, floats)
    flags = list(raw.flags) + lost_lines(raw.expected_rows, facts["_rows"])
    # Only the steps the data needs: a filter or a rewrite that changes nothing still costs a
    # streaming pass memory (an order-dependent sum after a filter buffers its input).
    frame = frame.with_columns(
        pl.when(pl.col(name).is_finite()).then(pl.col(name)).otherwise(None).alias(name)
        for name in floats
        if facts[f"{name}_nonfinite"]
    )
    if facts["_rows"] > facts["_height"]:
        frame = frame.filter(~blank)
    frame = frame.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in SCHEMA.items()
        if name not in present
    ).with_columns(pl.col(CYCLE, STEP).cast(pl.Int64, strict=False))
    height = facts["_height"]
    if height == 0:
        raise IngestError("The file has a header but no data rows.")

    missing_cycles = facts[f"{CYCLE}_nulls"]
    if missing_cycles == height:
        frame = frame.with_columns(_derived_cycles(frame, facts).alias(CYCLE))
        what = "is empty" if CYCLE in present else "is missing"
        flags.append(
            f"The {raw.cycle_label} column {what}: cycles were numbered from 1 by current "
            "direction instead."
        )
    elif missing_cycles:
        # Forward, then the leading rows take the first cycle number (a backward fill).
        frame = frame.with_columns(pl.col(CYCLE).forward_fill().fill_null(facts["_first_cycle"]))
        flags.append(f"{missing_cycles} rows had no cycle number and took the previous row's.")

    available = {name for name in COUNTER_COLUMNS if facts[f"{name}_nulls"] < height}
    if not raw.cumulative:
        boundary = segment_boundary(CYCLE, STEP)
        rebuilt = []
        for name in sorted(available):
            counter = pl.col(name)
            if facts[f"{name}_nulls"]:
                counter = counter.forward_fill().fill_null(0.0)
            if (facts[f"{name}_min"] or 0.0) < 0:
                counter = counter.abs()  # some exports log discharge as a negative count
            rebuilt.append(rebuild_counter(counter, boundary, raw.reset_each_step).alias(name))
        frame = frame.with_columns(rebuilt)
    if not set(CAPACITY_COLUMNS) <= available:
        charge, discharge = _integrated(pl.col(CURRENT))
        frame = frame.with_columns(
            charge.alias(CHARGE_CAPACITY), discharge.alias(DISCHARGE_CAPACITY)
        )
        flags.append("No capacity columns: capacity was integrated from current and time.")
    if not set(ENERGY_COLUMNS) <= available:
        charge, discharge = _integrated(pl.col(CURRENT) * pl.col(VOLTAGE))
        frame = frame.with_columns(charge.alias(CHARGE_ENERGY), discharge.alias(DISCHARGE_ENERGY))
        flags.append("No energy columns: energy was integrated from voltage × current and time.")
    schema = frame.collect_schema()
    frame = frame.select(
        pl.col(name) if schema[name] == dtype else pl.col(name).cast(dtype)
        for name, dtype in SCHEMA.items()
    )
    return frame, flags


def lost_lines(expected: int | None, rows: int) -> list[str]:
    """The flag for data lines of a text file that did not come out as rows, if any."""
    if expected is None or rows >= expected:
        return []
    return [f"{expected - rows} lines could not be read as rows (unbalanced quotes?)."]


def _facts(frame: pl.LazyFrame, present: set[str], floats: list[str]) -> dict:
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


def quality_flags(frame: pl.DataFrame | pl.LazyFrame) -> list[str]:
    """Data-quality flags of a canonical table (counts of impossible or odd records)."""
    low, high = TEMPERATURE_RANGE_C
    counts = (
        frame.lazy()
        .select(
            missing=pl.any_horizontal(pl.col(TEST_TIME, VOLTAGE, CURRENT).is_null()).sum(),
            backwards=(pl.col(TEST_TIME).diff() < 0).sum(),
            voltage=(pl.col(VOLTAGE).abs() > MAX_ABS_VOLTAGE_V).sum(),
            temperature=((pl.col(TEMPERATURE) < low) | (pl.col(TEMPERATURE) > high)).sum(),
            cycles_back=(pl.col(CYCLE).diff() < 0).sum(),
            negative_time=(pl.col(TEST_TIME) < 0).sum(),
        )
        .collect(engine="streaming")
        .row(0, named=True)
    )
    messages = {
        "missing": "{n} rows have a missing, non-numeric or infinite time, voltage or current.",
        "backwards": "{n} times the test time goes backwards (non-monotonic time).",
        "voltage": f"{{n}} rows have an impossible voltage (|V| > {MAX_ABS_VOLTAGE_V:g} V).",
        "temperature": f"{{n}} rows have a temperature outside {low:g} to {high:g} °C.",
        "cycles_back": "{n} times the cycle number goes down.",
        "negative_time": "{n} rows have a negative test time.",
    }
    return [messages[name].format(n=n) for name, n in counts.items() if n]


def signed_by_state(
    columns: list[str], charging: pl.Expr, discharging: pl.Expr, boundary: pl.Expr
) -> list[pl.Expr]:
    """For formats that log direction as a state, not a sign: the current signed (charge
    positive) and the per-step capacity and energy counters split into cumulative totals."""
    out = [
        pl.when(charging)
        .then(pl.col(CURRENT).abs())
        .when(discharging)
        .then(-pl.col(CURRENT).abs())
        .otherwise(pl.col(CURRENT))
        .alias(CURRENT)
    ]
    for source, (charge, discharge) in {
        "capacity": (CHARGE_CAPACITY, DISCHARGE_CAPACITY),
        "energy": (CHARGE_ENERGY, DISCHARGE_ENERGY),
    }.items():
        if source in columns:
            step = counter_increments(pl.col(source), boundary, reset_each_step=True)
            out.append(pl.when(charging).then(step).otherwise(0.0).cum_sum().alias(charge))
            out.append(pl.when(discharging).then(step).otherwise(0.0).cum_sum().alias(discharge))
    return out
