"""Physical plausibility checks: each finding is a data-quality warning naming its cycles."""

import itertools
from dataclasses import asdict, dataclass

import polars as pl

from .canonical import (
    CHARGE_CAPACITY,
    CURRENT,
    CYCLE,
    DISCHARGE_CAPACITY,
    STEP,
    TEST_TIME,
    VOLTAGE,
)
from .conventions import MIN_SOH_CYCLES, Convention

# A reversible capacity that changes by more than this share from one cycle to the next.
CAPACITY_JUMP_SHARE = 0.2
# A step's mean current below this (A) is a rest: its sign means nothing.
REST_CURRENT_A = 1e-6
# A gap between records longer than this many median intervals, and over an hour, is missing data.
GAP_INTERVALS = 50
GAP_MIN_S = 3600.0
# Cycles listed in a message (the API lists them all).
SHOWN_CYCLES = 10
# Voltage tolerance on the chemistry window (V): cyclers overshoot a cut-off slightly.
VOLTAGE_TOLERANCE_V = 0.05
# Duplicates are looked for among this many rows at a time (whole cycles; memory stays flat).
DUPLICATE_BATCH_ROWS = 500_000


@dataclass(frozen=True)
class DataWarning:
    """One data-quality warning: the check's code, a plain sentence, the cycles concerned."""

    check: str
    message: str
    cycles: list[int]

    def as_dict(self) -> dict:
        """The JSON the file record stores and the API shows."""
        return asdict(self)


CHECKS = (
    "coulombic_efficiency",
    "capacity_jump",
    "voltage_window",
    "current_sign",
    "too_few_cycles",
    "duplicate_records",
    "missing_records",
)


def check_all(
    frame: pl.DataFrame | pl.LazyFrame,
    cycles: list[dict],
    convention: Convention,
) -> list[DataWarning]:
    """Run every check on a canonical table and its per-cycle summary."""
    found = [
        efficiency_band(cycles, convention),
        capacity_jump(cycles, convention),
        voltage_window(frame, convention),
        current_sign(frame),
        too_few_cycles(cycles, convention),
        duplicate_records(frame),
        missing_records(frame, cycles),
    ]
    return [warning for warning in found if warning is not None]


def _listed(cycles: list[int]) -> str:
    shown = ", ".join(str(c) for c in cycles[:SHOWN_CYCLES])
    more = len(cycles) - SHOWN_CYCLES
    return f"{shown} and {more} more" if more > 0 else shown


def _after_formation(cycles: list[dict], convention: Convention) -> list[dict]:
    return cycles[convention.formation_cycles :]


def efficiency_band(cycles: list[dict], convention: Convention) -> DataWarning | None:
    """Coulombic efficiency outside the cell type's band, after the formation cycles."""
    low, high = convention.ce_band
    outside = [
        row["cycle_index"]
        for row in _after_formation(cycles, convention)
        if row.get("coulombic_efficiency") is not None
        and not low <= row["coulombic_efficiency"] <= high
    ]
    if not outside:
        return None
    return DataWarning(
        "coulombic_efficiency",
        f"Coulombic efficiency outside {low:.0%}–{high:.0%} after formation in cycles "
        f"{_listed(outside)}: check the cell type and the capacity columns.",
        outside,
    )


def capacity_jump(cycles: list[dict], convention: Convention) -> DataWarning | None:
    """A reversible capacity that jumps by more than CAPACITY_JUMP_SHARE from the cycle before."""
    key = convention.reversible_capacity
    values = [(row["cycle_index"], row.get(key)) for row in cycles]
    largest = max((abs(v) for _c, v in values if v is not None), default=0.0)
    measured = [(c, v) for c, v in values if v is not None and v > largest * 1e-3]
    jumps = [
        cycle
        for (_before, previous), (cycle, value) in itertools.pairwise(measured)
        if abs(value - previous) > CAPACITY_JUMP_SHARE * previous
    ]
    if not jumps:
        return None
    return DataWarning(
        "capacity_jump",
        f"Capacity changes by more than {CAPACITY_JUMP_SHARE:.0%} from the cycle before in "
        f"cycles {_listed(jumps)}.",
        jumps,
    )


def voltage_window(
    frame: pl.DataFrame | pl.LazyFrame, convention: Convention
) -> DataWarning | None:
    """Records whose voltage lies outside the chemistry's window."""
    if convention.voltage_window is None:
        return None
    outside = (
        frame.lazy()
        .filter(outside_window(convention))
        .select(pl.col(CYCLE).unique().sort())
        .collect()
        .get_column(CYCLE)
        .to_list()
    )
    return voltage_window_warning(outside, convention)


def outside_window(convention: Convention) -> pl.Expr | None:
    """True on records outside the chemistry's window (with the tolerance); None: no window."""
    if convention.voltage_window is None:
        return None
    low, high = convention.voltage_window
    return (pl.col(VOLTAGE) < low - VOLTAGE_TOLERANCE_V) | (
        pl.col(VOLTAGE) > high + VOLTAGE_TOLERANCE_V
    )


def voltage_window_warning(outside: list[int], convention: Convention) -> DataWarning | None:
    """The warning for the cycles ``voltage_window`` found (sorted), if any."""
    if not outside or convention.voltage_window is None:
        return None
    low, high = convention.voltage_window
    return DataWarning(
        "voltage_window",
        f"Voltage outside the chemistry's window of {low:g}–{high:g} V in cycles "
        f"{_listed(outside)}.",
        outside,
    )


def current_sign(frame: pl.DataFrame | pl.LazyFrame) -> DataWarning | None:
    """Steps whose current sign disagrees with the step's type (charge > 0, discharge < 0).

    A step is a charge when its charge counter grows and its discharge counter does not, a
    discharge the other way round; rests and mixed steps are not judged.
    """
    steps = (
        frame.lazy()
        .with_columns(segment=step_segments())
        .group_by("segment")
        .agg(step_aggregates())
        .collect()
    )
    return current_sign_warning(wrong_sign_cycles(steps))


def step_segments() -> pl.Expr:
    """Numbers of the runs of one cycle and step, from 1 (a missing step starts a run)."""
    return (
        ((pl.col(CYCLE) != pl.col(CYCLE).shift(1)) | (pl.col(STEP) != pl.col(STEP).shift(1)))
        .fill_null(True)
        .cum_sum()
    )


def step_aggregates() -> list[pl.Expr]:
    """What ``current_sign`` needs of each step: its cycle, net charge and discharge, current."""
    return [
        pl.col(CYCLE).first(),
        (pl.col(CHARGE_CAPACITY).last() - pl.col(CHARGE_CAPACITY).first()).alias("charged"),
        (pl.col(DISCHARGE_CAPACITY).last() - pl.col(DISCHARGE_CAPACITY).first()).alias(
            "discharged"
        ),
        pl.col(CURRENT).mean().alias("current"),
    ]


def wrong_sign_cycles(steps: pl.DataFrame) -> list[int]:
    """Cycles of the steps (``step_aggregates``) whose current sign disagrees with their type."""
    return (
        steps.filter(
            (
                (pl.col("charged") > 0)
                & (pl.col("discharged") <= 0)
                & (pl.col("current") < -REST_CURRENT_A)
            )
            | (
                (pl.col("discharged") > 0)
                & (pl.col("charged") <= 0)
                & (pl.col("current") > REST_CURRENT_A)
            )
        )
        .get_column(CYCLE)
        .unique()
        .sort()
        .to_list()
    )


def current_sign_warning(wrong: list[int]) -> DataWarning | None:
    """The warning for the cycles ``current_sign`` found (sorted), if any."""
    if not wrong:
        return None
    return DataWarning(
        "current_sign",
        "Current sign disagrees with the step type (charging with a negative current or "
        f"discharging with a positive one) in cycles {_listed(wrong)}.",
        wrong,
    )


def too_few_cycles(cycles: list[dict], convention: Convention) -> DataWarning | None:
    """Fewer cycles after formation than a state-of-health figure needs."""
    counted = _after_formation(cycles, convention)
    if len(counted) >= MIN_SOH_CYCLES:
        return None
    formation = convention.formation_cycles
    after = (
        f" after {formation} formation cycle{'s' if formation != 1 else ''}" if formation else ""
    )
    return DataWarning(
        "too_few_cycles",
        f"Not enough cycles for a state-of-health figure: {len(counted)}{after}, at least "
        f"{MIN_SOH_CYCLES} needed.",
        [row["cycle_index"] for row in counted],
    )


def duplicate_records(
    frame: pl.DataFrame | pl.LazyFrame, order: "TimeOrder | None" = None
) -> DataWarning | None:
    """Records repeated exactly (same time, step, voltage and current).

    ``order``: what a pass over the table already found about its times (else counted here).
    """
    keys = [TEST_TIME, CYCLE, STEP, VOLTAGE, CURRENT]
    frame = frame.lazy()
    repeated: set[int] = set()
    for batch in _duplicate_candidates(frame, order):
        repeated.update(
            batch.filter(pl.struct(keys).is_duplicated())
            .select(pl.col(CYCLE).unique())
            .collect()
            .get_column(CYCLE)
            .to_list()
        )
    if not repeated:
        return None
    cycles = sorted(repeated)
    return DataWarning(
        "duplicate_records",
        f"Duplicated records (same time, step, voltage and current) in cycles {_listed(cycles)}.",
        cycles,
    )


@dataclass(frozen=True)
class TimeOrder:
    """Whether the test time ever goes back or is missing, and the times equal to the one before."""

    backwards: bool
    nulls: int
    repeats: pl.Series  # unique values of TEST_TIME where time.diff() == 0


def time_order(frame: pl.LazyFrame) -> TimeOrder:
    """``TimeOrder`` of a whole table, in streaming passes."""
    time = pl.col(TEST_TIME)
    order = frame.select(backwards=(time.diff() < 0).any(), nulls=time.null_count()).collect(
        engine="streaming"
    )
    repeats = (
        frame.filter(time.diff() == 0)
        .select(time.unique())
        .collect(engine="streaming")
        .get_column(TEST_TIME)
    )
    return TimeOrder(bool(order.item(0, "backwards")), int(order.item(0, "nulls")), repeats)


def _duplicate_candidates(frame: pl.LazyFrame, order: TimeOrder | None) -> list[pl.LazyFrame]:
    """Parts of the table that hold every duplicated record, each small enough to search.

    When time never goes back, equal times are neighbours, so only rows whose time repeats
    the previous row's time can be duplicated; otherwise whole cycles (the cycle is part of
    the key) are searched a batch at a time.
    """
    order = order or time_order(frame)
    if not order.backwards and not order.nulls:
        repeats = order.repeats
        time = pl.col(TEST_TIME)
        return [frame.filter(time.is_in(repeats.implode()))] if repeats.len() else []
    return [
        frame.filter(pl.col(CYCLE).is_between(low, high))
        for low, high in _cycle_batches(frame, DUPLICATE_BATCH_ROWS)
    ]


def _cycle_batches(frame: pl.LazyFrame, rows: int) -> list[tuple[int, int]]:
    """Ranges of cycle numbers holding about ``rows`` rows each (a bigger cycle is alone)."""
    counts = frame.group_by(CYCLE).agg(pl.len()).sort(CYCLE).collect(engine="streaming").iter_rows()
    batches: list[tuple[int, int]] = []
    low = high = None
    total = 0
    for cycle, count in counts:
        if low is not None and total + count > rows:
            batches.append((low, high))
            low, total = None, 0
        low = cycle if low is None else low
        high, total = cycle, total + count
    if low is not None:
        batches.append((low, high))
    return batches


def missing_records(
    frame: pl.DataFrame | pl.LazyFrame,
    cycles: list[dict],
    long_intervals: pl.DataFrame | None = None,
) -> DataWarning | None:
    """Cycle numbers skipped, or a gap in time far longer than the usual record interval.

    ``long_intervals``: the rows of the table whose interval (``time.diff()``) exceeds
    GAP_MIN_S, as (cycle, interval), when a pass has already collected them; no other interval
    can be a gap, so without any the median interval is not needed.
    """
    numbers = [row["cycle_index"] for row in cycles]
    skipped = [b for a, b in itertools.pairwise(numbers) if b - a > 1]
    gaps: list[int] = []
    steps = frame.lazy().select(pl.col(CYCLE), pl.col(TEST_TIME).diff().alias("interval"))
    possible = long_intervals is None or not long_intervals.is_empty()
    if possible and steps.select(pl.len()).collect().item() > 2:
        median = (
            steps.select(pl.col("interval").filter(pl.col("interval") > 0).median())
            .collect(engine="streaming")
            .item()
        )
        if median:
            limit = max(GAP_INTERVALS * float(median), GAP_MIN_S)
            candidates = steps if long_intervals is None else long_intervals.lazy()
            gaps = (
                candidates.filter(pl.col("interval") > limit)
                .select(pl.col(CYCLE).unique().sort())
                .collect(engine="streaming")
                .get_column(CYCLE)
                .to_list()
            )
    concerned = sorted(set(skipped) | set(gaps))
    if not concerned:
        return None
    parts = []
    if skipped:
        parts.append(f"cycle numbers skipped before cycles {_listed(skipped)}")
    if gaps:
        parts.append(f"gaps in time of more than {GAP_MIN_S / 3600:g} h in cycles {_listed(gaps)}")
    return DataWarning("missing_records", "Missing records: " + "; ".join(parts) + ".", concerned)
