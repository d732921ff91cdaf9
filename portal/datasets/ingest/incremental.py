"""Incremental capacity (dQ/dV) per cycle, from the canonical table.

Method: the capacity each record adds (the row-to-row increase of the charge or the discharge
counter) is summed into voltage bins of BIN_V; dividing by the bin width gives dQ/dV in Ah/V.
The bins are then smoothed by a centred moving average of SMOOTH_BINS bins. Binning on voltage,
unlike differentiating Q(V) point by point, does not blow up where the voltage stands still or
the cycler logs coarse capacity steps. Charge is positive and discharge negative, as usually
plotted.
"""

from pathlib import Path

import polars as pl

from .canonical import CHARGE_CAPACITY, CYCLE, DISCHARGE_CAPACITY, VOLTAGE
from .errors import IngestError

BIN_V = 0.01  # 10 mV
SMOOTH_BINS = 5
METHOD = (
    f"capacity increments summed in {BIN_V * 1000:g} mV voltage bins, then a centred moving "
    f"average over {SMOOTH_BINS} bins"
)
BRANCHES = (("charge", CHARGE_CAPACITY, 1.0), ("discharge", DISCHARGE_CAPACITY, -1.0))


def dqdv(
    frame: pl.DataFrame | pl.LazyFrame, cycles: list[int], bin_v: float = BIN_V
) -> dict[str, dict[str, dict[str, list[float]]]]:
    """{"<cycle>": {"charge"|"discharge": {"voltage_v": [...], "dqdv_ah_per_v": [...]}}}."""
    wanted = sorted({int(c) for c in cycles})
    if not wanted:
        return {}
    rows = (
        frame.lazy()
        .select(CYCLE, VOLTAGE, CHARGE_CAPACITY, DISCHARGE_CAPACITY)
        # Filter first, so the Parquet row groups of other cycles are never read; a cycle's
        # first record then adds nothing (one record's increment, well inside a 10 mV bin).
        .filter(pl.col(CYCLE).is_in(wanted) & pl.col(VOLTAGE).is_not_null())
        .with_columns(
            pl.col(CHARGE_CAPACITY).diff().over(CYCLE).fill_null(0.0).alias("d_charge"),
            pl.col(DISCHARGE_CAPACITY).diff().over(CYCLE).fill_null(0.0).alias("d_discharge"),
        )
        .with_columns((pl.col(VOLTAGE) / bin_v).floor().cast(pl.Int64).alias("bin"))
        .collect()
    )
    out: dict[str, dict[str, dict[str, list[float]]]] = {}
    for cycle in wanted:
        of_cycle = rows.filter(pl.col(CYCLE) == cycle)
        branches = {}
        for name, _counter, sign in BRANCHES:
            curve = _branch(of_cycle, f"d_{name}", bin_v, sign)
            if curve is not None:
                branches[name] = curve
        if branches:
            out[str(cycle)] = branches
    return out


def _branch(rows: pl.DataFrame, increment: str, bin_v: float, sign: float) -> dict | None:
    added = rows.filter(pl.col(increment) > 0)
    if added.height < 2:
        return None
    sums = added.group_by("bin").agg(pl.col(increment).sum().alias("q"))
    low, high = sums.get_column("bin").min(), sums.get_column("bin").max()
    grid = pl.DataFrame({"bin": pl.int_range(low, high + 1, eager=True).cast(pl.Int64)})
    curve = (
        grid.join(sums, on="bin", how="left")
        .with_columns(pl.col("q").fill_null(0.0))
        .with_columns(
            ((pl.col("bin") + 0.5) * bin_v).alias("voltage_v"),
            (
                pl.col("q").rolling_mean(SMOOTH_BINS, center=True, min_samples=1) / bin_v * sign
            ).alias("dqdv"),
        )
    )
    return {
        "voltage_v": [round(v, 6) for v in curve.get_column("voltage_v").to_list()],
        "dqdv_ah_per_v": curve.get_column("dqdv").to_list(),
    }


def dqdv_from_parquet(parquet_path: Path | str, cycles: list[int]) -> dict:
    """dQ/dV of chosen cycles, read lazily from a stored canonical table."""
    try:
        return dqdv(pl.scan_parquet(parquet_path), cycles)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise IngestError("The stored table of this file could not be read.") from exc


def peaks(curves: dict) -> list[dict]:
    """The largest peak of each cycle's charge and discharge, for the table beside the plot."""
    rows = []
    for cycle, branches in curves.items():
        for name, curve in branches.items():
            values = [abs(v) for v in curve["dqdv_ah_per_v"]]
            if not values:
                continue
            at = max(range(len(values)), key=values.__getitem__)
            rows.append(
                {
                    "cycle": int(cycle),
                    "branch": name,
                    "voltage_v": curve["voltage_v"][at],
                    "dqdv_ah_per_v": curve["dqdv_ah_per_v"][at],
                }
            )
    return rows
