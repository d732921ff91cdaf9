"""Server-side downsampling so plots of million-row files stay small."""

import polars as pl

from .canonical import CHARGE_CAPACITY, CYCLE, DISCHARGE_CAPACITY, VOLTAGE

CURVE_COLUMNS = (CYCLE, VOLTAGE, CHARGE_CAPACITY, DISCHARGE_CAPACITY)


def cycle_curves(
    frame: pl.DataFrame | pl.LazyFrame, cycles: list[int], max_points: int
) -> dict[str, dict[str, list[float]]]:
    """Voltage vs capacity within each chosen cycle, at most ``max_points`` points per cycle.

    Capacity runs "back and forth": it grows while charging and shrinks while discharging
    (net charge since the start of the cycle, shifted so the lowest point is 0), which draws
    each cycle as one continuous loop. Each bucket of rows keeps its lowest and highest
    voltage, so knees and spikes survive the thinning.
    """
    buckets = max(1, (max(max_points, 4) - 2) // 2)
    net = (pl.col(CHARGE_CAPACITY) - pl.col(CHARGE_CAPACITY).first()) - (
        pl.col(DISCHARGE_CAPACITY) - pl.col(DISCHARGE_CAPACITY).first()
    )
    by_cycle = [CYCLE]
    points = (
        frame.lazy()
        .select(CURVE_COLUMNS)
        .filter(pl.col(CYCLE).is_in(cycles) & pl.col(VOLTAGE).is_not_null())
        .with_columns(net.over(by_cycle).alias("net"))
        .with_columns(
            (pl.col("net") - pl.col("net").min().over(by_cycle)).fill_null(0.0).alias("x"),
            pl.int_range(pl.len()).over(by_cycle).alias("pos"),
            pl.len().over(by_cycle).alias("n"),
        )
        .with_columns((pl.col("pos") * buckets // pl.col("n")).alias("bucket"))
        .filter(
            (pl.col("pos") == 0)
            | (pl.col("pos") == pl.col("n") - 1)
            | (pl.col("pos") == pl.col("pos").get(pl.col(VOLTAGE).arg_min()).over(CYCLE, "bucket"))
            | (pl.col("pos") == pl.col("pos").get(pl.col(VOLTAGE).arg_max()).over(CYCLE, "bucket"))
        )
        .group_by(CYCLE)
        .agg(pl.col("x").sort_by("pos"), pl.col(VOLTAGE).sort_by("pos"))
        .collect()
    )
    return {
        str(row[CYCLE]): {"capacity_ah": row["x"], "voltage_v": row[VOLTAGE]}
        for row in points.sort(CYCLE).iter_rows(named=True)
    }


def representative_cycles(cycle_numbers: list[int], count: int = 5) -> list[int]:
    """Up to ``count`` cycles spread evenly from the first to the last."""
    if len(cycle_numbers) <= count:
        return list(cycle_numbers)
    last = len(cycle_numbers) - 1
    picks = sorted({round(i * last / (count - 1)) for i in range(count)})
    return [cycle_numbers[i] for i in picks]


def evenly(length: int, max_points: int) -> list[int]:
    """Indices of at most ``max_points`` evenly spaced items, always keeping the last."""
    if length <= max_points:
        return list(range(length))
    step = (length - 1) / (max_points - 1)
    return sorted({round(i * step) for i in range(max_points)})
