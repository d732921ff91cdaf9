"""The canonical table batch by batch: every shift, forward fill and running sum of the
normalise steps carries its last value from one batch to the next, so memory stays flat.

Each batch gives exactly the rows the whole-table plan gave: a running sum continues from the
carried total as its first element (the same additions in the same order), a shift or a diff
starts from the carried last row, a forward fill from the carried last value.
"""

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .canonical import (
    CAPACITY_COLUMNS,
    COUNTER_COLUMNS,
    CURRENT,
    CYCLE,
    ENERGY_COLUMNS,
    SCHEMA,
    STEP,
    TEST_TIME,
    VOLTAGE,
)
from .errors import IngestError
from .normalise import FLOAT_COLUMNS, RawTable, lost_lines

HELPER = "__"  # prefix of the columns that only carry state to the next batch


class Respeculate(Exception):
    """A fact assumed from the start turned out false: normalise again with the facts counted."""


@dataclass(frozen=True)
class DerivedCycles:
    """Cycles numbered by current direction: the segment key and each segment's cycle."""

    use_steps: bool  # segments are steps (else runs of one current sign)
    current_limit: float
    segments: pl.Series | None  # None: one cycle
    cycles: pl.Series | None


@dataclass(frozen=True)
class Decisions:
    """What the whole file decides for every batch: counted beforehand, or assumed and checked."""

    available: frozenset[str]  # counters taken from the file (the others are integrated)
    counted: bool = False  # False: assumed from the columns present, checked at the end
    first_cycle: int | None = None  # for rows before the first cycle number (counted only)
    derived: DerivedCycles | None = None


def present_columns(frame: pl.DataFrame | pl.LazyFrame) -> set[str]:
    """The canonical columns a reader's table has, after checking the indispensable ones."""
    present = set(frame.collect_schema().names())
    if VOLTAGE not in present or CURRENT not in present:
        raise IngestError("The file has no voltage or no current column.")
    if TEST_TIME not in present:
        raise IngestError("The file has no test time column.")
    return present


def assumed(present: set[str]) -> Decisions | None:
    """Decisions from the header alone; None when the cycles must be derived (a facts pass)."""
    if CYCLE not in present:
        return None
    return Decisions(frozenset(name for name in COUNTER_COLUMNS if name in present))


def rowwise(frame: pl.LazyFrame, present: set[str]) -> pl.LazyFrame:
    """The steps without state: floats as floats, non-finite cells null, blank rows dropped,
    absent columns null, cycle and step numbers as integers."""
    floats = [name for name in FLOAT_COLUMNS if name in present]
    blank = pl.all_horizontal(pl.col(TEST_TIME, VOLTAGE, CURRENT).is_null())
    return (
        frame.select(name for name in SCHEMA if name in present)
        .with_columns(pl.col(floats).cast(pl.Float64, strict=False))
        .with_columns(
            pl.when(pl.col(name).is_finite()).then(pl.col(name)).otherwise(None).alias(name)
            for name in floats
        )
        .filter(~blank)
        .with_columns(
            pl.lit(None, dtype=dtype).alias(name)
            for name, dtype in SCHEMA.items()
            if name not in present
        )
        .with_columns(pl.col(CYCLE, STEP).cast(pl.Int64, strict=False))
    )


def _shifted(name: str | pl.Expr, carried: Any) -> pl.Expr:
    """The previous row's value; on a batch's first row, the carried last row's."""
    expr = pl.col(name) if isinstance(name, str) else name
    return expr.shift(1) if carried is None else expr.shift(1, fill_value=carried)


def _running_sum(expr: pl.Expr, carried: float | None) -> pl.Expr:
    """``cum_sum`` continued from the carried total (added first, as the whole column would)."""
    if carried is None:
        return expr.cum_sum()
    return pl.lit(carried, dtype=pl.Float64).append(expr).cum_sum().slice(1)


@dataclass
class Normaliser:
    """Turns a reader's batches, in file order, into canonical batches; counts as it goes."""

    raw: RawTable
    present: set[str]
    decisions: Decisions
    rows: int = 0  # the reader's rows, blank ones included
    height: int = 0  # canonical rows
    cycle_nulls: int = 0
    counter_nulls: dict[str, int] = field(default_factory=dict)
    absolute: set[str] = field(default_factory=set)  # counters logged negative somewhere
    last: dict[str, Any] = field(default_factory=dict)  # carried values

    def push(self, batch: pl.DataFrame) -> pl.DataFrame:
        """The canonical rows of the next batch (may be empty)."""
        self.rows += batch.height
        rows = rowwise(batch.lazy(), self.present).collect()
        if rows.height == 0:
            return rows.select(list(SCHEMA))
        available = sorted(self.decisions.available)
        counts = rows.select(
            pl.col(CYCLE).null_count().alias(CYCLE),
            *(pl.col(name).null_count().alias(name) for name in available),
            *((pl.col(name) < 0).any().alias(f"{name}<0") for name in available),
        ).row(0, named=True)
        self.height += rows.height
        self.cycle_nulls += counts[CYCLE]
        for name in available:
            self.counter_nulls[name] = self.counter_nulls.get(name, 0) + counts[name]
            if counts[f"{name}<0"]:
                self.absolute.add(name)
        rows = rows.with_columns(self._cycles(rows, counts[CYCLE]))
        out = rows.lazy().with_columns(self._counters(available)).collect()
        carried = out.select(pl.col(f"^{HELPER}.*$").last(), pl.col(list(SCHEMA)).last())
        self.last.update(carried.row(0, named=True))
        return out.select(
            pl.col(name) if out.schema[name] == dtype else pl.col(name).cast(dtype)
            for name, dtype in SCHEMA.items()
        )

    def _cycles(self, rows: pl.DataFrame, nulls: int) -> pl.Series:
        """The batch's cycle numbers: the file's own, filled forward, or derived."""
        derived = self.decisions.derived
        if derived is not None:
            return self._derived(rows, derived)
        cycle = rows.get_column(CYCLE)
        if nulls:
            # Forward, then rows before the file's first cycle number take that number.
            cycle = cycle.forward_fill()
            if self.last.get(CYCLE) is not None:
                cycle = cycle.fill_null(self.last[CYCLE])
            if cycle.null_count():
                if self.decisions.first_cycle is None:
                    raise Respeculate
                cycle = cycle.fill_null(self.decisions.first_cycle)
        return cycle

    def _derived(self, rows: pl.DataFrame, derived: DerivedCycles) -> pl.Series:
        """``normalise.segment_cycles``' segments numbered on, then looked up."""
        key = segment_key(derived)
        frame = rows.select(
            key.alias(f"{HELPER}key"),
            (
                (key != _shifted(key, self.last.get(f"{HELPER}key")))
                .fill_null(True)
                .cast(pl.Int64)
                .cum_sum()
                + self.last.get(f"{HELPER}segment", 0)
            ).alias(f"{HELPER}segment"),
        )
        self.last[f"{HELPER}key"] = frame.item(-1, 0)
        self.last[f"{HELPER}segment"] = frame.item(-1, 1)
        segment = frame.get_column(f"{HELPER}segment")
        if derived.segments is None:
            return pl.repeat(1, rows.height, dtype=pl.Int64, eager=True).alias(CYCLE)
        return segment.replace_strict(
            derived.segments, derived.cycles, return_dtype=pl.Int64
        ).alias(CYCLE)

    def _counters(self, available: list[str]) -> list[pl.Expr]:
        """Cumulative counters (rebuilt where the cycler restarts them) and integrated ones."""
        out: list[pl.Expr] = []
        last = self.last
        if not self.raw.cumulative:
            boundary = pl.lit(False)
            for name in (CYCLE, STEP):
                changed = pl.col(name) != _shifted(name, last.get(name))
                boundary = boundary | changed.fill_null(False)
            # Counters of a pair that is integrated instead are not rebuilt (it would be lost).
            integrated = self._integrated_pairs(available)
            for name in available:
                if not any(name in pair for pair in integrated):
                    out.extend(self._rebuilt(name, boundary))
        if not set(CAPACITY_COLUMNS) <= set(available):
            out.extend(self._integrated(pl.col(CURRENT), CAPACITY_COLUMNS, "q"))
        if not set(ENERGY_COLUMNS) <= set(available):
            out.extend(self._integrated(pl.col(CURRENT) * pl.col(VOLTAGE), ENERGY_COLUMNS, "e"))
        return out

    @staticmethod
    def _integrated_pairs(available: list[str]) -> list[tuple[str, str]]:
        return [
            pair for pair in (CAPACITY_COLUMNS, ENERGY_COLUMNS) if not set(pair) <= set(available)
        ]

    def _rebuilt(self, name: str, boundary: pl.Expr) -> list[pl.Expr]:
        """A vendor counter that restarts from zero (at steps, or anywhere) made cumulative.

        A restart is a drop below half the previous value (or, for cyclers that reset at every
        step, any step or cycle change); the value reached before each restart is carried as an
        offset. Null cells carry the previous value.
        """
        last = self.last
        filled = pl.col(name).forward_fill()
        if last.get(f"{HELPER}ff_{name}") is not None:
            filled = filled.fill_null(last[f"{HELPER}ff_{name}"])
        counter = filled.fill_null(0.0)
        if name in self.absolute:
            counter = counter.abs()  # some exports log discharge as a negative count
        previous = _shifted(counter, last.get(f"{HELPER}x_{name}"))
        restarted = counter < previous * 0.5
        if self.raw.reset_each_step:
            restarted = restarted | boundary
        step = pl.when(restarted).then(previous).otherwise(0.0).fill_null(0.0)
        offset = _running_sum(step, last.get(f"{HELPER}offset_{name}"))
        return [
            filled.alias(f"{HELPER}ff_{name}"),
            counter.alias(f"{HELPER}x_{name}"),
            offset.alias(f"{HELPER}offset_{name}"),
            (counter + offset).alias(name),
        ]

    def _integrated(self, quantity: pl.Expr, names: tuple[str, str], tag: str) -> list[pl.Expr]:
        """Cumulative positive and negative parts of the trapezoidal time integral, in hours."""
        last = self.last
        time = pl.col(TEST_TIME)
        dt = (time - _shifted(TEST_TIME, last.get(TEST_TIME))).clip(lower_bound=0.0)
        dt = dt.fill_null(0.0).fill_nan(0.0)
        q = quantity.fill_null(0.0)
        step = (q + _shifted(q, last.get(f"{HELPER}{tag}")).fill_null(0.0)) * 0.5 * dt / 3600.0
        step = step.fill_null(0.0)
        positive, negative = names
        return [
            q.alias(f"{HELPER}{tag}"),
            _running_sum(step.clip(lower_bound=0.0), last.get(positive)).alias(positive),
            _running_sum((-step).clip(lower_bound=0.0), last.get(negative)).alias(negative),
        ]

    def finish(self) -> list[str]:
        """Check what was assumed and return the flags; raise ``Respeculate`` if it was wrong."""
        if self.height == 0:
            raise IngestError("The file has a header but no data rows.")
        available = self.decisions.available
        if not self.decisions.counted and any(
            self.counter_nulls.get(name, 0) == self.height for name in available
        ):
            raise Respeculate
        flags = list(self.raw.flags) + lost_lines(self.raw.expected_rows, self.rows)
        if self.decisions.derived is not None:
            what = "is empty" if CYCLE in self.present else "is missing"
            flags.append(
                f"The {self.raw.cycle_label} column {what}: cycles were numbered from 1 by "
                "current direction instead."
            )
        elif self.cycle_nulls:
            flags.append(
                f"{self.cycle_nulls} rows had no cycle number and took the previous row's."
            )
        if not set(CAPACITY_COLUMNS) <= available:
            flags.append("No capacity columns: capacity was integrated from current and time.")
        if not set(ENERGY_COLUMNS) <= available:
            flags.append(
                "No energy columns: energy was integrated from voltage × current and time."
            )
        return flags


def segment_key(derived: DerivedCycles) -> pl.Expr:
    """What a segment is a run of: the step number, or the sign of the current."""
    if derived.use_steps:
        return pl.col(STEP)
    current = pl.col(CURRENT).fill_null(0.0)
    limit = derived.current_limit
    return pl.when(current > limit).then(1).when(current < -limit).then(-1).otherwise(0)


def counted(frame: pl.LazyFrame, present: set[str]) -> Decisions:
    """Decisions from a facts pass over the whole table (and a segment pass to derive cycles)."""
    from .normalise import facts as count_facts

    floats = [name for name in FLOAT_COLUMNS if name in present]
    facts = count_facts(
        frame.with_columns(pl.col(floats).cast(pl.Float64, strict=False)), present, floats
    )
    height = facts["_height"]
    if height == 0:
        raise IngestError("The file has a header but no data rows.")
    available = frozenset(name for name in COUNTER_COLUMNS if facts[f"{name}_nulls"] < height)
    derived = None
    if facts[f"{CYCLE}_nulls"] == height:
        derived = DerivedCycles(facts["steps"], facts["current_limit"], None, None)
        mapping = segment_cycles(rowwise(frame, present), derived)
        if mapping is not None:
            derived = DerivedCycles(derived.use_steps, derived.current_limit, *mapping)
    return Decisions(available, True, facts.get("_first_cycle"), derived)


def segment_cycles(
    frame: pl.LazyFrame, derived: DerivedCycles
) -> tuple[pl.Series, pl.Series] | None:
    """Number cycles from 1: a new one starts whenever the file's first direction comes back.

    Segments are steps when the file has step numbers, else runs of the same current sign;
    a segment's direction is the sign of its net charge (ignoring segments under 1 % of the
    largest, e.g. impedance measurements and rests). None: no direction at all, one cycle.
    """
    current = pl.col(CURRENT).fill_null(0.0)
    key = segment_key(derived)
    dt = pl.col(TEST_TIME).diff().clip(lower_bound=0.0).fill_null(0.0).fill_nan(0.0)
    segment = (key != key.shift(1)).fill_null(True).cast(pl.Int64).cum_sum()
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
        return None
    first = directions.item(0)
    previous = pl.col("direction").shift(1).forward_fill()
    starts = ((pl.col("direction") == first) & (previous == -first)).fill_null(False)
    cycles = per_segment.select((starts.cum_sum() + 1).cast(pl.Int64).alias(CYCLE)).to_series()
    return per_segment.get_column("segment"), cycles
