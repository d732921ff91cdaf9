"""BioLogic EC-Lab exports: ``.mpt`` text (own reader) and ``.mpr`` binary (through galvani).

EC-Lab logs currents in mA and charge in mA.h; ``(Q-Qo)`` is the net charge since the start,
so its positive steps are charge and its negative steps discharge. Energy is accumulated as
charge step × mean voltage of the two points, because EC-Lab's own energy columns restart
every half cycle.
"""

import re
import warnings
from pathlib import Path

import numpy as np
import polars as pl
from galvani import BioLogic

from . import canonical, tabular
from .columns import Column, locate, scaled
from .errors import IngestError
from .header import HeaderAt, HeaderRow, Sniff
from .normalise import RawTable

FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    canonical.TEST_TIME: (("time",), "time"),
    canonical.VOLTAGE: (("ecell", "ewe"), "voltage"),
    canonical.CURRENT: (("i",), "current"),
    canonical.CYCLE: (("cyclenumber",), "index"),
    canonical.STEP: (("ns",), "index"),
    canonical.TEMPERATURE: (("temperature",), "temperature"),
    "net_charge": (("qqo",), "capacity"),
    "charge_step": (("dq",), "capacity"),
}


MPR_MAGIC = b"BIO-LOGIC MODULAR FILE"
_MPT_FIRST_LINE = re.compile(r"^(EC|BT)-Lab ASCII FILE", re.IGNORECASE)
_MPT_HEADER_COUNT = re.compile(r"Nb header lines\s*:\s*(\d+)", re.IGNORECASE)


def is_mpr(_path: Path, head: bytes) -> bool:
    """An EC-Lab binary file starts with its magic words."""
    return head.startswith(MPR_MAGIC)


def is_mpt_header(row: HeaderRow) -> bool:
    """EC-Lab's time and working-electrode (or cell) voltage columns."""
    return "time/s" in row.raw and bool(row.raw & {"ewe/v", "ecell/v", "<ewe>/v"})


def mpt_header(lines: list[str]) -> HeaderAt | None:
    """The header an EC-Lab preamble announces ("Nb header lines : 57"), if it is one."""
    if not lines or not _MPT_FIRST_LINE.match(lines[0].strip()):
        return None
    for line in lines[1:5]:
        match = _MPT_HEADER_COUNT.search(line)
        if match:
            index = int(match.group(1)) - 1
            if 0 < index < len(lines):
                cells = [cell.strip() for cell in lines[index].split("\t") if cell.strip()]
                if is_mpt_header(HeaderRow.of(cells)):
                    return HeaderAt(index, "\t", cells)
    return None  # detection then scans every line for the header


def read_mpt(path: Path, sniffed: Sniff) -> RawTable:
    """Read an EC-Lab ``.mpt`` text export (tab separated, decimal point or comma)."""
    found = _locate(tabular.header(path, sniffed))
    dtypes: dict[str, pl.DataType] = {column.name: pl.Float64() for column in found.values()}
    plan, lines = tabular.scan(path, sniffed, dtypes)
    raw = _table(plan, found)
    raw.expected_rows = lines
    return raw


def read_mpr(path: Path, sniffed: Sniff) -> RawTable:
    """Read an EC-Lab ``.mpr`` binary file with galvani."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = BioLogic.MPRfile(str(path)).data
    names = list(data.dtype.names or ())
    found = _locate(names)
    frame = pl.DataFrame(
        {col.name: np.asarray(data[col.name], dtype=np.float64) for col in found.values()}
    )
    return _table(frame, found)


def _locate(columns: list[str]) -> dict[str, Column]:
    found = locate(columns, FIELDS)
    if (
        canonical.TEST_TIME not in found
        or canonical.VOLTAGE not in found
        or canonical.CURRENT not in found
    ):
        raise IngestError("This EC-Lab file has no time/s, Ewe/V (or Ecell/V) or I/mA column.")
    return found


def _table(frame: pl.DataFrame | pl.LazyFrame, found: dict[str, Column]) -> RawTable:
    frame = frame.select(scaled(found))
    columns = frame.collect_schema().names()
    if "net_charge" in columns:
        step = pl.col("net_charge").fill_null(strategy="forward").diff().fill_null(0.0)
    elif "charge_step" in columns:
        step = pl.col("charge_step").fill_null(0.0)
    else:
        return RawTable(frame, cycle_label="cycle number")
    voltage = pl.col(canonical.VOLTAGE).fill_null(strategy="forward")
    mid_voltage = ((voltage + voltage.shift(1)) * 0.5).fill_null(voltage).fill_null(0.0)
    charge, discharge = step.clip(lower_bound=0.0), (-step).clip(lower_bound=0.0)
    frame = frame.with_columns(
        charge.cum_sum().alias(canonical.CHARGE_CAPACITY),
        discharge.cum_sum().alias(canonical.DISCHARGE_CAPACITY),
        (charge * mid_voltage).cum_sum().alias(canonical.CHARGE_ENERGY),
        (discharge * mid_voltage).cum_sum().alias(canonical.DISCHARGE_ENERGY),
    ).drop("net_charge", "charge_step", strict=False)
    return RawTable(frame, cumulative=True, cycle_label="cycle number")
