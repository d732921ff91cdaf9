"""A deterministic, synthetic sodium-ion cycle-life test written as an Arbin-style CSV.

The cell: a 1.2 Ah hard-carbon / layered-oxide 18650 cycled between 1.5 V and 4.0 V at C/2 and
25 °C. Each cycle is a constant-current charge, a constant-voltage hold, a rest, a
constant-current discharge and a rest. Capacity fades with a square-root (SEI growth) and a
linear term and passes 80 % of its initial value around cycle 800; resistance grows with it.
The same arguments always give the same bytes (a seeded generator, no clock), so the demo
dataset and the benchmarks are reproducible. The file is then ingested through the normal path.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

NOMINAL_CAPACITY_AH = 1.2
CURRENT_A = 0.6  # C/2
V_MIN, V_MAX = 1.5, 4.0
SEED = 20250601

# points per segment of each cycle
CHARGE_POINTS = 120
CV_POINTS = 30
REST_POINTS = 10
DISCHARGE_POINTS = 120


def open_circuit_voltage(soc: np.ndarray) -> np.ndarray:
    """A sloping sodium-ion OCV curve (hard carbon has no flat plateau) from 1.9 V to 3.95 V."""
    return 1.9 + 1.55 * soc + 0.35 * np.tanh((soc - 0.55) * 5.0) + 0.12 * soc**8


def capacity_fade(cycle: np.ndarray) -> np.ndarray:
    """Fraction of the initial capacity left after `cycle` cycles."""
    n = cycle - 1
    return 1.0 - 0.0032 * np.sqrt(n) - 0.00014 * n


def generate_frame(cycles: int = 1000) -> pl.DataFrame:
    """The whole test as an Arbin-style table (one row per logged point), vectorised."""
    rng = np.random.default_rng(SEED)
    per_cycle = CHARGE_POINTS + CV_POINTS + REST_POINTS + DISCHARGE_POINTS + REST_POINTS
    rows = cycles * per_cycle
    i = np.arange(rows)
    cycle = i // per_cycle + 1
    pos = i % per_cycle
    seg_ends = np.cumsum([CHARGE_POINTS, CV_POINTS, REST_POINTS, DISCHARGE_POINTS, REST_POINTS])
    step = np.searchsorted(seg_ends, pos, side="right") + 1  # 1..5
    seg_start = np.concatenate([[0], seg_ends[:-1]])[step - 1]
    k = pos - seg_start  # position inside the step

    capacity = (
        NOMINAL_CAPACITY_AH * capacity_fade(cycle) * (1 + rng.normal(0, 0.0015, cycles))[cycle - 1]
    )
    resistance = 0.045 * (1 + 0.9 * (cycle - 1) / max(cycles, 1))
    cc_fraction = 0.93  # of the capacity charged at constant current; the CV hold adds the rest
    cc_hours = cc_fraction * capacity / CURRENT_A
    cc_dt = cc_hours * 3600 / CHARGE_POINTS
    cv_dt = np.full(rows, 1800.0 / CV_POINTS)
    rest_dt = np.full(rows, 600.0 / REST_POINTS)
    dis_dt = (capacity / CURRENT_A) * 3600 / DISCHARGE_POINTS

    dt = np.select([step == 1, step == 2, step == 4], [cc_dt, cv_dt, dis_dt], rest_dt)
    step_time = (k + 1) * dt

    # charge: CC to 93 %, then CV tops up the last 7 % with a decaying current
    cv_share = (1 - np.exp(-3.0 * (k + 1) / CV_POINTS)) / (1 - np.exp(-3.0))
    charged = np.select(
        [step == 1, step == 2],
        [
            cc_fraction * capacity * (k + 1) / CHARGE_POINTS,
            capacity * (cc_fraction + (1 - cc_fraction) * cv_share),
        ],
        capacity,
    )
    charged = np.where(step >= 3, capacity, charged)
    discharged = np.select(
        [step == 4, step == 5],
        [capacity * 0.995 * (k + 1) / DISCHARGE_POINTS, capacity * 0.995],
        0.0,
    )
    cv_current = CURRENT_A * np.exp(-3.0 * (k + 1) / CV_POINTS)
    current = np.select([step == 1, step == 2, step == 4], [CURRENT_A, cv_current, -CURRENT_A], 0.0)

    soc = np.clip((charged - discharged) / NOMINAL_CAPACITY_AH, 0.0, 1.0)
    voltage = open_circuit_voltage(soc) + current * resistance
    voltage = np.where(step == 2, V_MAX, voltage)
    voltage = np.clip(voltage + rng.normal(0, 0.0008, rows), V_MIN, V_MAX)

    # cumulative over the whole test, as Arbin logs them
    per_cycle_charge = np.bincount(cycle - 1, weights=np.where(pos == per_cycle - 1, charged, 0.0))
    per_cycle_discharge = np.bincount(
        cycle - 1, weights=np.where(pos == per_cycle - 1, discharged, 0.0)
    )
    charge_before = np.concatenate([[0.0], np.cumsum(per_cycle_charge)[:-1]])[cycle - 1]
    discharge_before = np.concatenate([[0.0], np.cumsum(per_cycle_discharge)[:-1]])[cycle - 1]
    charge_ah = charge_before + charged
    discharge_ah = discharge_before + discharged
    test_time = np.cumsum(dt)
    temperature = 25.0 + 1.5 * np.abs(current) / CURRENT_A + rng.normal(0, 0.05, rows)

    return pl.DataFrame(
        {
            "Data_Point": i + 1,
            "Test_Time(s)": test_time.round(3),
            "Step_Time(s)": step_time.round(3),
            "Step_Index": step,
            "Cycle_Index": cycle,
            "Current(A)": current.round(6),
            "Voltage(V)": voltage.round(5),
            "Charge_Capacity(Ah)": charge_ah.round(7),
            "Discharge_Capacity(Ah)": discharge_ah.round(7),
            "Charge_Energy(Wh)": (charge_ah * 3.05).round(7),
            "Discharge_Energy(Wh)": (discharge_ah * 2.92).round(7),
            "Temperature (C)": temperature.round(2),
        }
    )


def write_csv(path: Path | str, cycles: int = 1000) -> Path:
    """Write the synthetic test to `path` (the same bytes every time) and return the path."""
    path = Path(path)
    generate_frame(cycles).write_csv(path)
    return path
