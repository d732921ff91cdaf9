"""Per-cycle summary, reference capacity, retention and cycles to 80 % state of health."""

from dataclasses import dataclass, field

import polars as pl

from .canonical import (
    CHARGE_CAPACITY,
    COUNTER_COLUMNS,
    CYCLE,
    DISCHARGE_CAPACITY,
    SUMMARY_KEYS,
    TEST_TIME,
    VOLTAGE,
)
from .conventions import FULL_CELL, MIN_SOH_CYCLES, Convention

REFERENCE_CYCLES = 3
REFERENCE_RULE = f"maximum discharge capacity of the first {REFERENCE_CYCLES} cycles"
END_OF_LIFE = 0.8


class SohStatus:
    """Why a file has, or has not, a cycles-to-80 % figure (stored as these codes)."""

    REACHED = "reached"
    NOT_REACHED = "not_reached"
    NOT_ENOUGH_CYCLES = "not_enough_cycles"
    NO_REFERENCE = "no_reference"


# A cycle's capacity or energy under this fraction of the file's largest one counts as zero
# (sensor noise, e.g. 4e-11 Ah "discharged" during a pure charge); ratios are then undefined.
NEGLIGIBLE_FRACTION = 1e-6


@dataclass(frozen=True)
class Summary:
    """Per-cycle rows plus the file-level figures derived from them."""

    cycles: list[dict]
    reference_capacity_ah: float | None
    reference_rule: str
    cycles_to_80_soh: int | None
    soh_status: str = SohStatus.NO_REFERENCE
    convention: str = field(default_factory=FULL_CELL.describe)


def reference_rule(convention: Convention) -> str:
    """The stated rule for the reference capacity under a convention."""
    if not convention.anode_mode and not convention.formation_cycles:
        return REFERENCE_RULE
    kind = "charge" if convention.anode_mode else "discharge"
    rule = f"maximum {kind} capacity of the first {REFERENCE_CYCLES} cycles"
    if convention.formation_cycles:
        plural = "s" if convention.formation_cycles > 1 else ""
        rule += f" after {convention.formation_cycles} formation cycle{plural}"
    return rule


def cycle_table(
    frame: pl.DataFrame | pl.LazyFrame, convention: Convention = FULL_CELL
) -> pl.DataFrame:
    """Group the canonical table by cycle: capacities are last minus start of each cycle.

    The start of a cycle is the cumulative value just before its first row, so when the
    cycles follow each other in the file this is the previous cycle's last value; when they
    do not, the row-to-row increments are summed per cycle instead (same result, slower).
    """
    extremes = [
        pl.col(VOLTAGE).min().alias("min_voltage_v"),
        pl.col(VOLTAGE).max().alias("max_voltage_v"),
        (pl.col(TEST_TIME).max() - pl.col(TEST_TIME).min()).alias("duration_s"),
    ]
    frame = frame.lazy()
    descending = frame.select((pl.col(CYCLE).diff() < 0).any()).collect(engine="streaming")
    if not descending.item():
        table = (
            frame.group_by(CYCLE)
            .agg(*(pl.col(name).last() for name in COUNTER_COLUMNS), *extremes)
            .sort(CYCLE)
            .collect(engine="streaming")
            .with_columns(
                pl.col(name) - pl.col(name).shift(1).fill_null(0.0) for name in COUNTER_COLUMNS
            )
        )
    else:
        increments = [
            (pl.col(name) - pl.col(name).shift(1).fill_null(0.0)).alias(name)
            for name in COUNTER_COLUMNS
        ]
        table = (
            frame.with_columns(increments)
            .group_by(CYCLE)
            .agg(*(pl.col(name).sum() for name in COUNTER_COLUMNS), *extremes)
            .sort(CYCLE)
            .collect(engine="streaming")
        )
    return with_ratios(table, convention)


def merged_cycle_table(partials: list[pl.DataFrame], convention: Convention) -> pl.DataFrame:
    """``cycle_table`` from per-batch partials (``cycle_partials``) of a table whose cycle
    numbers never go down: lasts of the last batch, extremes of all batches."""
    table = (
        pl.concat(partials)
        .group_by(CYCLE, maintain_order=True)
        .agg(
            *(pl.col(name).last() for name in COUNTER_COLUMNS),
            pl.col("min_voltage_v").min(),
            pl.col("max_voltage_v").max(),
            (pl.col("_time_max").max() - pl.col("_time_min").min()).alias("duration_s"),
        )
        .sort(CYCLE)
        .with_columns(
            pl.col(name) - pl.col(name).shift(1).fill_null(0.0) for name in COUNTER_COLUMNS
        )
    )
    return with_ratios(table, convention)


def cycle_partials() -> list[pl.Expr]:
    """The per-cycle aggregates of one batch that ``merged_cycle_table`` merges."""
    return [
        *(pl.col(name).last() for name in COUNTER_COLUMNS),
        pl.col(VOLTAGE).min().alias("min_voltage_v"),
        pl.col(VOLTAGE).max().alias("max_voltage_v"),
        pl.col(TEST_TIME).min().alias("_time_min"),
        pl.col(TEST_TIME).max().alias("_time_max"),
    ]


def with_ratios(table: pl.DataFrame, convention: Convention) -> pl.DataFrame:
    """The per-cycle efficiencies and formation marks of a cycle table."""
    (ce_top, ce_bottom), (ee_top, ee_bottom) = convention.efficiency_columns
    return table.with_columns(
        _ratio(ce_top, ce_bottom).alias("coulombic_efficiency"),
        _ratio(ee_top, ee_bottom).alias("energy_efficiency"),
        (pl.int_range(pl.len()) < convention.formation_cycles).alias("formation"),
    )


def _negligible(*names: str) -> pl.Expr:
    largest = pl.max_horizontal(*(pl.col(name).abs().max() for name in names))
    return (largest * NEGLIGIBLE_FRACTION).fill_null(0.0)


def summarise(frame: pl.DataFrame | pl.LazyFrame, convention: Convention = FULL_CELL) -> Summary:
    """Summarise a canonical table: cycles, reference capacity and end-of-life cycle.

    The first ``convention.formation_cycles`` cycles of the file are formation: the reference
    capacity is the largest reversible capacity of the next REFERENCE_CYCLES cycles, and a
    state-of-health figure needs MIN_SOH_CYCLES cycles after formation.
    """
    return summarise_table(cycle_table(frame, convention), convention)


def summarise_table(table: pl.DataFrame, convention: Convention = FULL_CELL) -> Summary:
    """``summarise`` from the table ``cycle_table`` gives."""
    reversible = convention.reversible_capacity
    negligible = table.select(_negligible(CHARGE_CAPACITY, DISCHARGE_CAPACITY)).item()
    after_formation = table.get_column(reversible).slice(convention.formation_cycles)
    window = after_formation.head(REFERENCE_CYCLES)
    reference = window.max()
    reference = float(reference) if reference is not None and reference > negligible else None
    end_of_life = None
    if reference is None:
        table = table.with_columns(capacity_retention=pl.lit(None, dtype=pl.Float64))
        status = SohStatus.NO_REFERENCE
    else:
        table = table.with_columns(capacity_retention=pl.col(reversible) / reference)
        if after_formation.len() >= MIN_SOH_CYCLES:
            start = convention.formation_cycles + int(window.arg_max() or 0)
            end_of_life = _end_of_life(table, start, negligible, reversible)
            status = SohStatus.NOT_REACHED if end_of_life is None else SohStatus.REACHED
    if after_formation.len() < MIN_SOH_CYCLES:
        status = SohStatus.NOT_ENOUGH_CYCLES
    rows = table.select(SUMMARY_KEYS).to_dicts()
    return Summary(
        [_clean(row) for row in rows],
        reference,
        reference_rule(convention),
        end_of_life,
        status,
        convention.describe(),
    )


def _ratio(numerator: str, denominator: str) -> pl.Expr:
    # Both halves must be measured: a cycle cut off after one half (the end of a test) has no
    # efficiency, not one of 0 %.
    negligible = _negligible(numerator, denominator)
    return (
        pl.when((pl.col(denominator) > negligible) & (pl.col(numerator) > negligible))
        .then(pl.col(numerator) / pl.col(denominator))
        .otherwise(None)
    )


def _end_of_life(
    table: pl.DataFrame, reference_position: int, negligible: float, reversible: str
) -> int | None:
    """First cycle after the reference one whose reversible capacity falls under 80 % of it.

    Cycles without any reversible capacity (rests, a final half cycle) measure nothing and
    are skipped.
    """
    later = table.slice(reference_position + 1).filter(
        (pl.col(reversible) > negligible) & (pl.col("capacity_retention") < END_OF_LIFE)
    )
    return int(later.item(0, CYCLE)) if later.height else None


def _clean(row: dict) -> dict:
    """Plain Python numbers for JSON: NaN and infinities become None."""
    out = {}
    for name, value in row.items():
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            value = None
        out[name] = value
    return out
