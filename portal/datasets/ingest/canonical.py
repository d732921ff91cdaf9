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
COLUMNS = tuple(SCHEMA)

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

SUPPORTED_FORMATS = (
    "arbin_csv",
    "maccor_txt",
    "neware_csv",
    "biologic_mpt",
    "biologic_mpr",
    "landt_csv",
    "bdf_csv",
    "batteryarchive_csv",
    "arbin_res",
    "neware_nda",
    "neware_ndax",
    "neware_btsda_csv",
    "neware_btsda_xlsx",
    "pec_csv",
)

FORMAT_LABELS = {
    "arbin_csv": "Arbin CSV",
    "maccor_txt": "Maccor text export",
    "neware_csv": "Neware CSV",
    "biologic_mpt": "BioLogic EC-Lab text (.mpt)",
    "biologic_mpr": "BioLogic EC-Lab binary (.mpr)",
    "landt_csv": "Landt CSV",
    "bdf_csv": "Battery Data Format CSV",
    "batteryarchive_csv": "Battery Archive time-series CSV",
    "arbin_res": "Arbin native (.res)",
    "neware_nda": "Neware native (.nda)",
    "neware_ndax": "Neware native (.ndax)",
    "neware_btsda_csv": "Neware BTSDA nested CSV",
    "neware_btsda_xlsx": "Neware BTSDA Excel workbook",
    "pec_csv": "PEC CSV",
}

# Plausibility limits for the data-quality flags.
MAX_ABS_VOLTAGE_V = 10.0
TEMPERATURE_RANGE_C = (-100.0, 200.0)
