"""Names and types of the canonical cycler table and of the per-cycle summary."""

from typing import Any

import polars as pl
from sqlmodel import Field, SQLModel

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


def _figure(description: str, unit: str) -> Any:
    """A per-cycle figure, absent (None) when the file cannot give it; ``unit`` as it is stored."""
    return Field(
        default=None,
        description=f"{description} ({unit})",
        schema_extra={"json_schema_extra": {"x-unit": unit}},
    )


class CycleSummaryFields(SQLModel):
    """One cycle of one file, declared once: ``summarise`` fills these, and the database table,
    the API, the OpenAPI document and the summary CSV all show exactly these fields."""

    cycle_index: int = Field(description="Cycle number")
    charge_capacity_ah: float | None = _figure("Capacity charged in the cycle", "Ah")
    discharge_capacity_ah: float | None = _figure("Capacity discharged in the cycle", "Ah")
    charge_energy_wh: float | None = _figure("Energy charged in the cycle", "Wh")
    discharge_energy_wh: float | None = _figure("Energy discharged in the cycle", "Wh")
    coulombic_efficiency: float | None = _figure(
        "Q_dis/Q_chg, or Q_chg/Q_dis for a half cell in anode mode", "fraction"
    )
    energy_efficiency: float | None = _figure(
        "E_dis/E_chg, or E_chg/E_dis for a half cell in anode mode", "fraction"
    )
    min_voltage_v: float | None = _figure("Lowest voltage in the cycle", "V")
    max_voltage_v: float | None = _figure("Highest voltage in the cycle", "V")
    duration_s: float | None = _figure("Time from the cycle's first to its last record", "s")
    capacity_retention: float | None = _figure(
        "Reversible capacity (discharge, or charge in anode mode) over the file's reference "
        "capacity",
        "fraction",
    )
    formation: bool = Field(
        default=False, description="A formation cycle: left out of the reference capacity"
    )


SUMMARY_KEYS = tuple(CycleSummaryFields.model_fields)

# Plausibility limits for the data-quality flags.
MAX_ABS_VOLTAGE_V = 10.0
TEMPERATURE_RANGE_C = (-100.0, 200.0)

# Test metadata a reader may report (RawTable.metadata), only when the file states it.
METADATA_KEYS = (
    "cycler",  # instrument and software, e.g. "Neware BTS 8.0"
    "channel",
    "test_name",
    "start_time",  # ISO 8601, with an offset only when the file gives one
    "nominal_capacity_ah",
    "active_mass_g",
    "temperature_c",
    "cathode",
    "anode",
    "electrolyte",
    "form_factor",
    "voltage_min_v",
    "voltage_max_v",
    "c_rate_charge",
    "c_rate_discharge",
)
