"""Per-cycle summary, reference capacity, retention and cycles to 80 % state of health."""

from dataclasses import dataclass

import polars as pl

from .canonical import (
    CHARGE_CAPACITY,
    CHARGE_ENERGY,
    COUNTER_COLUMNS,
    CYCLE,
    DISCHARGE_CAPACITY,
    DISCHARGE_ENERGY,
    SUMMARY_KEYS,
    TEST_TIME,
    VOLTAGE,
)

REFERENCE_CYCLES = 3
REFERENCE_RULE = f"maximum discharge capacity of the first {REFERENCE_CYCLES} cycles"
END_OF_LIFE = 0.8
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


def cycle_table(frame: pl.DataFrame) -> pl.DataFrame:
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
    if frame.get_column(CYCLE).is_sorted():
        table = (
            frame.group_by(CYCLE)
            .agg(*(pl.col(name).last() for name in COUNTER_COLUMNS), *extremes)
            .sort(CYCLE)
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
            frame.lazy()
            .with_columns(increments)
            .group_by(CYCLE)
            .agg(*(pl.col(name).sum() for name in COUNTER_COLUMNS), *extremes)
            .sort(CYCLE)
            .collect()
        )
    return table.with_columns(
        _ratio(DISCHARGE_CAPACITY, CHARGE_CAPACITY).alias("coulombic_efficiency"),
        _ratio(DISCHARGE_ENERGY, CHARGE_ENERGY).alias("energy_efficiency"),
    )


def _negligible(*names: str) -> pl.Expr:
    largest = pl.max_horizontal(*(pl.col(name).abs().max() for name in names))
    return (largest * NEGLIGIBLE_FRACTION).fill_null(0.0)


def summarise(frame: pl.DataFrame) -> Summary:
    """Summarise a canonical table: cycles, reference capacity and end-of-life cycle."""
    table = cycle_table(frame)
    discharge = table.get_column(DISCHARGE_CAPACITY)
    negligible = table.select(_negligible(CHARGE_CAPACITY, DISCHARGE_CAPACITY)).item()
    reference = discharge.head(REFERENCE_CYCLES).max()
    reference = float(reference) if reference is not None and reference > negligible else None
    if reference is None:
        table = table.with_columns(capacity_retention=pl.lit(None, dtype=pl.Float64))
        end_of_life = None
    else:
        table = table.with_columns(capacity_retention=pl.col(DISCHARGE_CAPACITY) / reference)
        start = int(discharge.head(REFERENCE_CYCLES).arg_max() or 0)
        end_of_life = _end_of_life(table, start, negligible)
    rows = table.select(SUMMARY_KEYS).to_dicts()
    return Summary([_clean(row) for row in rows], reference, REFERENCE_RULE, end_of_life)


def _ratio(numerator: str, denominator: str) -> pl.Expr:
    return (
        pl.when(pl.col(denominator) > _negligible(numerator, denominator))
        .then(pl.col(numerator) / pl.col(denominator))
        .otherwise(None)
    )


def _end_of_life(table: pl.DataFrame, reference_position: int, negligible: float) -> int | None:
    """First cycle after the reference one whose discharge falls under 80 % of the reference.

    Cycles without any discharge (rests, a final charge) measure nothing and are skipped.
    """
    later = table.slice(reference_position + 1).filter(
        (pl.col(DISCHARGE_CAPACITY) > negligible) & (pl.col("capacity_retention") < END_OF_LIFE)
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
