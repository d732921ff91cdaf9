"""Neware BTSDA exports beyond the record CSV: the nested "regular" CSV and the .xlsx workbook.

The nested CSV interleaves three levels, each with its own header row at the top of the file:
cycle rows (``Cycle ID, Cap_Chg(mAh), ...``), step rows indented by one empty cell
(``, Step ID, Step Name, ...``) and record rows indented by two (``,, Record ID,
Time(h:min:s.ms), Voltage(V), Current(mA), Capacity(mAh), Energy(mWh), Realtime, ...``).
BTSDA 7 writes a tab after each comma. The workbook has the sheets Info (test metadata),
Cycle, Statis (one row per step) and Record (the rows: ``Record Index, Status, JumpTo,
Cycle, Step, Cur(mA), Voltage(V), CapaCity(mAh), Energy(mWh), Relative Time(h:min:s.ms),
Absolute Time``); an .xlsx sheet holds at most 1,048,576 rows, so longer tests continue on
``Record_2``, ``Record_3`` ...

In both, times are per step and the capacity and energy counters restart at every step and
are unsigned: the step's type (``CC_Chg``, ``CC_DChg``, ``Rest`` ...) says which way they
count and signs the current.
"""

import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import polars as pl

from . import canonical, tabular
from .columns import find, key, locate, split_header
from .containers import container_format, sheet_names
from .errors import IngestError
from .header import HeaderAt, Sniff
from .normalise import RawTable, duration_seconds, segment_boundary, signed_by_state

RECORD_FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    canonical.CURRENT: (("current", "cur"), "current"),
    canonical.VOLTAGE: (("voltage",), "voltage"),
    "capacity": (("capacity",), "capacity"),
    "energy": (("energy",), "energy"),
    canonical.TEMPERATURE: (("temperature", "avgt", "auxtemperature"), "temperature"),
}
STEP_TIME_BASES = ("time", "relativetime", "steptime")
_RECORD_SHEET = re.compile(r"record[_ ]?(\d*)", re.IGNORECASE)
INFO_LABELS = {  # Info sheet label (lower case, no colon) -> metadata key
    "channel": "channel",
    "start time": "start_time",
    "starting time": "start_time",
    "barcode": "test_name",
    "remarks": "test_name",
}


def read_csv(path: Path, sniffed: Sniff) -> RawTable:
    """Read the nested BTSDA CSV: cycle and step numbers from their rows, values from records."""
    names = tabular.header(path, sniffed)
    cells = [name.strip() for name in names]
    found = locate(cells, RECORD_FIELDS)
    step_time = find(cells, STEP_TIME_BASES, "time")
    if canonical.CURRENT not in found or canonical.VOLTAGE not in found or step_time is None:
        raise IngestError("This Neware export has no Time, Voltage or Current record column.")
    # Every line is read with the record header's positions: on a cycle row the first cell is
    # the cycle number, on a step row the second and third are the step number and type.
    by_position = {cells.index(col.name): key for key, col in found.items()}
    by_position[cells.index(step_time.name)] = "step_time"
    wanted = {names[0]: "level0", names[1]: "level1", names[2]: "level2"}
    wanted.update({names[position]: key for position, key in by_position.items()})
    flags: list[str] = []
    raw = tabular.read(path, sniffed, dict.fromkeys(wanted, pl.String()), flags)
    raw = raw.rename(wanted).with_columns(pl.all().str.strip_chars())
    filled = (pl.col("level0") != "").fill_null(False)
    step_row = ~filled & (pl.col("level1") != "").fill_null(False)
    record = ~filled & ~step_row & (pl.col("level2") != "").fill_null(False)
    frame = raw.with_columns(
        pl.when(filled).then(pl.col("level0")).cast(pl.Int64, strict=False).alias(canonical.CYCLE),
        pl.when(step_row).then(pl.col("level1")).cast(pl.Int64, strict=False).alias(canonical.STEP),
        pl.when(step_row).then(pl.col("level2")).alias("state"),
        step_row.cum_sum().alias("step_count"),
    ).with_columns(pl.col(canonical.CYCLE, canonical.STEP, "state").forward_fill())
    frame = frame.filter(record).drop("level0", "level1", "level2")
    scales = {key: found[key].scale for key in found}
    return _table(frame, scales, step_time.scale, flags, {})


def read_xlsx(path: Path, sniffed: Sniff) -> RawTable:
    """Read a BTSDA workbook: its Record sheet(s), and the test's metadata from Info."""
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = sheet_names(archive)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise IngestError("The Excel workbook is damaged or truncated.") from exc
    records = sorted(
        (name for name in sheets if _RECORD_SHEET.fullmatch(name.strip())),
        key=lambda name: int(_RECORD_SHEET.fullmatch(name.strip()).group(1) or 1),
    )
    frames, scales, step_scale = [], {}, 1.0
    for sheet in records:
        table = _sheet(path, sheet)
        cells = table.columns
        found = locate(cells, RECORD_FIELDS)
        step_time = find(cells, STEP_TIME_BASES, "time")
        state = next((n for n in cells if split_header(n)[0] in ("status", "steptype")), None)
        cycle = next((n for n in cells if split_header(n)[0] in ("cycle", "cycleid")), None)
        step = next((n for n in cells if split_header(n)[0] in ("step", "stepid")), None)
        if (
            canonical.CURRENT not in found
            or canonical.VOLTAGE not in found
            or None in (step_time, state, step)
        ):
            raise IngestError(
                f"The workbook's {sheet} sheet lacks its Status, Step, Cur, Voltage or "
                "Relative Time column."
            )
        scales = {key: col.scale for key, col in found.items()}
        step_scale = step_time.scale
        columns = [pl.col(col.name).alias(key) for key, col in found.items()]
        columns += [
            pl.col(step_time.name).alias("step_time"),
            pl.col(state).alias("state"),
            pl.col(step).cast(pl.Int64, strict=False).alias(canonical.STEP),
        ]
        if cycle is not None:
            columns.append(pl.col(cycle).cast(pl.Int64, strict=False).alias(canonical.CYCLE))
        frames.append(table.select(columns))
    if not frames:
        raise IngestError("The workbook has no Record sheet.")
    frame = pl.concat(frames, how="diagonal")
    # BTSDA numbers steps across the test in the Record sheet: a new step is a new number.
    frame = frame.with_columns(
        segment_boundary(canonical.STEP, "state").cum_sum().alias("step_count"),
        *(
            []
            if canonical.CYCLE in frame.columns
            else [pl.lit(None, dtype=pl.Int64).alias(canonical.CYCLE)]
        ),
    )
    return _table(frame, scales, step_scale, [], _info(path, sheets))


def _sheet(path: Path, sheet: str) -> pl.DataFrame:
    """One sheet as text cells (calamine reads it natively; times stay as BTSDA wrote them)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pl.read_excel(
                path, sheet_name=sheet, engine="calamine", infer_schema_length=0
            ).rename(lambda name: name.strip())
    except Exception as exc:
        raise IngestError(f"The workbook's {sheet} sheet could not be read.") from exc


def _table(
    frame: pl.DataFrame, scales: dict[str, float], step_scale: float, flags: list[str], meta: dict
) -> RawTable:
    """Signed current, total test time and cumulative charge/discharge counters."""
    numbers = [key for key in scales]
    frame = frame.with_columns(
        *(pl.col(key).cast(pl.Float64, strict=False) * scales[key] for key in numbers),
        (duration_seconds(pl.col("step_time")) * step_scale).alias("step_time"),
        pl.col("state").str.to_uppercase().str.replace_all(r"[\s_]", "").alias("state"),
    )
    if frame.height == 0:
        raise IngestError("The file has a header but no data rows.")
    # Total time: the durations of all earlier steps plus the time into this one.
    durations = (
        frame.group_by("step_count")
        .agg(pl.col("step_time").max().fill_null(0.0).alias("_done"))
        .sort("step_count")
        .with_columns(pl.col("_done").shift(1).fill_null(0.0).cum_sum())
    )
    frame = frame.join(durations, on="step_count", how="left", maintain_order="left")
    discharging = pl.col("state").str.contains("DCHG").fill_null(False)
    charging = pl.col("state").str.contains("CHG").fill_null(False) & ~discharging
    boundary = segment_boundary("step_count")
    out = [
        (pl.col("_done") + pl.col("step_time")).alias(canonical.TEST_TIME),
        *signed_by_state(frame.columns, charging, discharging, boundary),
    ]
    keep = [canonical.CYCLE, canonical.STEP, canonical.VOLTAGE] + (
        [canonical.TEMPERATURE] if canonical.TEMPERATURE in frame.columns else []
    )
    frame = frame.select(*keep, *out)
    return RawTable(frame, cumulative=True, cycle_label="Cycle", flags=flags, metadata=meta)


def _info(path: Path, sheets: list[str]) -> dict[str, Any]:
    """Labelled values of the Info sheet (a label cell, its value in the next cell)."""
    info = next((name for name in sheets if name.strip().lower() == "info"), None)
    out: dict[str, Any] = {"cycler": "Neware BTSDA"}
    if info is None:
        return out
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = pl.read_excel(
                path, sheet_name=info, engine="calamine", has_header=False, infer_schema_length=0
            )
    except Exception:
        return out
    for row in table.iter_rows():  # a few dozen cells of metadata, not data rows
        cells = [str(cell).strip() if cell is not None else "" for cell in row]
        for index, cell in enumerate(cells[:-1]):
            label = cell.rstrip(":").strip().lower()
            value = cells[index + 1]
            if not value:
                continue
            if label in INFO_LABELS and INFO_LABELS[label] not in out:
                key = INFO_LABELS[label]
                out[key] = value.replace(" ", "T", 1) if key == "start_time" else value
            elif label == "device":
                out["cycler"] = f"Neware BTSDA, device {value}"
    return out


def is_workbook(path: Path, _head: bytes) -> bool:
    """An .xlsx export with BTSDA's Statis and Record sheets."""
    return container_format(path) == "neware_btsda_xlsx"


def nested_header(lines: list[str]) -> HeaderAt | None:
    """BTSDA's nested CSV: the cycle, step and record header rows, each indented one more."""
    rows = [[cell.strip().strip('"').lower() for cell in line.split(",")] for line in lines[:12]]
    for index in range(len(rows) - 2):
        cycle, step, record = rows[index : index + 3]
        if (
            key(cycle[0]) == "cycleid"
            and len(step) > 1
            and step[0] == ""
            and key(step[1]) == "stepid"
            and len(record) > 2
            and record[:2] == ["", ""]
            and key(record[2]) == "recordid"
        ):
            return HeaderAt(index + 2, ",", record)
    return None
