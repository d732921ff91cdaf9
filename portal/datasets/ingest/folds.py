"""What the summary, the quality flags and the plausibility checks need of a canonical table,
gathered batch by batch while it is written (each batch once, the state carried)."""

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .canonical import CHARGE_CAPACITY, CURRENT, CYCLE, DISCHARGE_CAPACITY, STEP, TEST_TIME
from .conventions import Convention
from .normalise import QUALITY_MESSAGES, quality_counts, quality_flags
from .plausibility import (
    GAP_MIN_S,
    DataWarning,
    TimeOrder,
    capacity_jump,
    current_sign_warning,
    duplicate_records,
    efficiency_band,
    missing_records,
    outside_window,
    step_aggregates,
    step_segments,
    too_few_cycles,
    voltage_window_warning,
    wrong_sign_cycles,
)
from .summarise import cycle_partials

STEP_COLUMNS = (CYCLE, STEP, CHARGE_CAPACITY, DISCHARGE_CAPACITY, CURRENT)


@dataclass
class Folds:
    """Running counts and partial aggregates of the canonical batches pushed so far."""

    convention: Convention
    height: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(QUALITY_MESSAGES, 0))
    time_nulls: int = 0
    partials: list[pl.DataFrame] = field(default_factory=list)  # per batch and cycle
    repeats: list[pl.Series] = field(default_factory=list)  # times equal to the one before
    long_intervals: list[pl.DataFrame] = field(default_factory=list)  # (cycle, interval)
    outside: set[int] = field(default_factory=set)  # cycles outside the voltage window
    wrong_sign: set[int] = field(default_factory=set)
    # The rows of the step still open at the end of the last batch: a step is aggregated
    # whole, so its mean current is exactly the one of the whole-table query.
    open_step: pl.DataFrame | None = None
    last: dict[str, Any] = field(default_factory=dict)  # the last row pushed

    def push(self, batch: pl.DataFrame) -> None:
        """Fold one canonical batch in."""
        if batch.height == 0:
            return
        time = pl.col(TEST_TIME)
        last_time = self.last.get(TEST_TIME)
        interval = time - (
            time.shift(1) if last_time is None else time.shift(1, fill_value=last_time)
        )
        frame = batch.lazy()
        queries = [
            frame.select(*quality_counts(self.last), time.null_count().alias("time_nulls")),
            frame.group_by(CYCLE, maintain_order=True).agg(cycle_partials()),
            frame.filter(interval == 0).select(time.unique()),
            frame.select(CYCLE, interval.alias("interval")).filter(pl.col("interval") > GAP_MIN_S),
        ]
        window = outside_window(self.convention)
        if window is not None:
            queries.append(frame.filter(window).select(pl.col(CYCLE).unique()))
        counts, partial, repeats, long, *outside = pl.collect_all(queries)
        for name, value in counts.row(0, named=True).items():
            if name == "time_nulls":
                self.time_nulls += value
            else:
                self.counts[name] += value
        self.partials.append(partial)
        if repeats.height:
            self.repeats.append(repeats.get_column(TEST_TIME))
        if long.height:
            self.long_intervals.append(long)
        if outside:
            self.outside.update(outside[0].get_column(CYCLE).to_list())
        self._steps(batch.select(STEP_COLUMNS))
        self.height += batch.height
        self.last = batch.row(-1, named=True)

    def _steps(self, rows: pl.DataFrame) -> None:
        """Aggregate the steps this batch closes; keep the open one for the next batch."""
        if self.open_step is not None:
            rows = pl.concat([self.open_step, rows])
        rows = rows.with_columns(segment=step_segments())
        last = rows.item(-1, "segment")
        done = rows.filter(pl.col("segment") != last)
        self.open_step = rows.filter(pl.col("segment") == last).drop("segment")
        if done.height:
            self._judge(done)

    def _judge(self, rows: pl.DataFrame) -> None:
        steps = rows.group_by("segment").agg(step_aggregates())
        self.wrong_sign.update(wrong_sign_cycles(steps))

    def finish(self) -> None:
        """Aggregate the step left open."""
        if self.open_step is not None and self.open_step.height:
            self._judge(self.open_step.with_columns(segment=pl.lit(1)))
        self.open_step = None

    def quality_flags(self) -> list[str]:
        """The data-quality flags of the whole table."""
        return quality_flags(self.counts)

    @property
    def descending(self) -> bool:
        """Whether the cycle number ever goes down."""
        return self.counts["cycles_back"] > 0

    def time_order(self) -> TimeOrder:
        """What the duplicate search needs to know about the test times."""
        repeats = (
            pl.concat(self.repeats).unique()
            if self.repeats
            else pl.Series(TEST_TIME, [], dtype=pl.Float64)
        )
        return TimeOrder(self.counts["backwards"] > 0, self.time_nulls, repeats)

    def long_interval_rows(self) -> pl.DataFrame:
        """Every (cycle, interval) with an interval over GAP_MIN_S."""
        if not self.long_intervals:
            return pl.DataFrame(schema={CYCLE: pl.Int64, "interval": pl.Float64})
        return pl.concat(self.long_intervals)

    def warnings(self, frame: pl.LazyFrame, cycles: list[dict]) -> list[DataWarning]:
        """``plausibility.check_all`` of the table written (``frame``) from what was folded."""
        convention = self.convention
        found = [
            efficiency_band(cycles, convention),
            capacity_jump(cycles, convention),
            voltage_window_warning(sorted(self.outside), convention),
            current_sign_warning(sorted(self.wrong_sign)),
            too_few_cycles(cycles, convention),
            duplicate_records(frame, self.time_order()),
            missing_records(frame, cycles, self.long_interval_rows()),
        ]
        return [warning for warning in found if warning is not None]
