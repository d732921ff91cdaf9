"""Arbin CSV exports (``Test_Time(s)`` / unit-less ``Test_Time`` headers)."""

from pathlib import Path

import polars as pl

from . import tabular
from .canonical import (
    CHARGE_CAPACITY,
    CHARGE_ENERGY,
    CURRENT,
    CYCLE,
    DISCHARGE_CAPACITY,
    DISCHARGE_ENERGY,
    STEP,
    TEMPERATURE,
    TEST_TIME,
    VOLTAGE,
)
from .columns import Column, find
from .detect import Sniff
from .normalise import RawTable

FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    TEST_TIME: (("testtime",), "time"),
    CYCLE: (("cycleindex",), "index"),
    STEP: (("stepindex",), "index"),
    CURRENT: (("current",), "current"),
    VOLTAGE: (("voltage",), "voltage"),
    CHARGE_CAPACITY: (("chargecapacity",), "capacity"),
    DISCHARGE_CAPACITY: (("dischargecapacity",), "capacity"),
    CHARGE_ENERGY: (("chargeenergy",), "energy"),
    DISCHARGE_ENERGY: (("dischargeenergy",), "energy"),
    TEMPERATURE: (
        ("temperature", "celltemperature", "auxtemperature1", "temperature1"),
        "temperature",
    ),
}


def locate(columns: list[str], fields: dict[str, tuple[tuple[str, ...], str]]) -> dict[str, Column]:
    """Map canonical names to the source columns found for them."""
    found = {}
    for canonical, (bases, kind) in fields.items():
        column = find(columns, bases, kind)
        if column is not None:
            found[canonical] = column
    return found


def read_scaled(
    path: Path, sniffed: Sniff, found: dict[str, Column], flags: list[str]
) -> pl.DataFrame:
    """Read the located columns as floats, rename them to canonical names and apply unit scales."""
    dtypes: dict[str, pl.DataType] = {column.name: pl.Float64() for column in found.values()}
    frame = tabular.read(path, sniffed, dtypes, flags)
    return frame.select(
        (pl.col(column.name) * column.scale if column.scale != 1.0 else pl.col(column.name)).alias(
            canonical
        )
        for canonical, column in found.items()
    )


def read(path: Path, sniffed: Sniff) -> RawTable:
    """Read an Arbin CSV; counters are cumulative per cycle or per test."""
    found = locate(tabular.header(path, sniffed), FIELDS)
    flags: list[str] = []
    frame = read_scaled(path, sniffed, found, flags)
    return RawTable(frame, cycle_label="Cycle_Index", flags=flags)
