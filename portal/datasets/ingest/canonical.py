"""Names and types of the canonical cycler table and of the per-cycle summary."""

import polars as pl

TEST_TIME = "test_time_s"
CYCLE = "cycle_index"
STEP = "step_index"
CURRENT = "current_a"
VOLTAGE = "voltage_v"
CHARGE_CAPACITY = "charge_capacity_ah"
DISCHARGE_CAPACITY = "discharge_capacity_ah"
CHARGE_ENERGY = "charge_energy_wh"
DISCHARGE_ENERGY = "discharge_energy_wh"
TEMPERATURE = "temperature_c"

CAPACITY_COLUMNS = (CHARGE_CAPACITY, DISCHARGE_CAPACITY)
ENERGY_COLUMNS = (CHARGE_ENERGY, DISCHARGE_ENERGY)
COUNTER_COLUMNS = (*CAPACITY_COLUMNS, *ENERGY_COLUMNS)

SCHEMA: dict[str, pl.DataType] = {
    TEST_TIME: pl.Float64(),
    CYCLE: pl.Int64(),
    STEP: pl.Int64(),
    CURRENT: pl.Float64(),
    VOLTAGE: pl.Float64(),
    CHARGE_CAPACITY: pl.Float64(),
    DISCHARGE_CAPACITY: pl.Float64(),
    CHARGE_ENERGY: pl.Float64(),
    DISCHARGE_ENERGY: pl.Float64(),
    TEMPERATURE: pl.Float64(),
}

SUMMARY_KEYS = (
    "cycle_index",
    "charge_capacity_ah",
    "discharge_capacity_ah",
    "charge_energy_wh",
    "discharge_energy_wh",
    "coulombic_efficiency",
    "energy_efficiency",
    "min_voltage_v",
    "max_voltage_v",
    "duration_s",
    "capacity_retention",
)

# Plausibility limits for the data-quality flags.
MAX_ABS_VOLTAGE_V = 10.0
TEMPERATURE_RANGE_C = (-100.0, 200.0)
