"""Neware native files: ``.nda`` (binary, older BTS) and ``.ndax`` (a zip, BTS 8 and later).

Both are decoded by fastnda (see docs/notes/neware-readers.md for why fastnda and not
NewareNDA). fastnda gives one *net* capacity and energy per row, restarting at every step
(positive while charging, negative while discharging); the reader turns the row-to-row
increments into cumulative charge and discharge counters. Cycle numbers are the cycler's
own (fastnda's ``cycle_mode="raw"``), as everywhere in the portal.
"""

import contextlib
import logging
import re
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
from defusedxml import ElementTree

from . import canonical
from .containers import container_format
from .errors import IngestError
from .header import Sniff
from .normalise import RawTable

log = logging.getLogger(__name__)

NDAX_DATA = "data.ndc"
MAX_NDAX_RATIO = 100  # as for uploaded archives: more than this is treated as a zip bomb
MAX_XML_BYTES = 4 * 1024 * 1024
_TEMPERATURE = re.compile(r"^aux\d*_temperature_degC$")
# Neware step files give voltages in 0.1 mV and currents in mA (checked on the sample: the
# CV step at Volt 49000 holds the cell at 4.8999 V; Curr 1.94 is logged as 1940 µA).
STEP_VOLT_V = 1e-4
CHARGE_STEP_TYPES = {"1", "3", "7", "9", "11", "18", "27", "29"}  # CC, CV, CCCV, CP, CR ...
DISCHARGE_STEP_TYPES = {"2", "8", "10", "19", "20", "26", "28"}


def read_nda(path: Path, sniffed: Sniff) -> RawTable:
    """Read a Neware ``.nda`` binary file."""
    frame = _decode(path, ".nda", "Neware .nda")
    header = _nda_header(path)
    flags = []
    expected = header.get("num_datapoints")
    if isinstance(expected, int) and 0 < frame.height < expected:
        flags.append(
            f"The file's header announces {expected} records but only {frame.height} could "
            "be read: it may be truncated."
        )
    elif header.get("nda_version") == 130 and expected is None:
        # BTS 9 writes the test information (with the record count) at the end of the file.
        flags.append(
            "The file ends without its closing test information: it may be truncated "
            "(the records before the cut were read)."
        )
    return RawTable(
        _canonical(frame),
        cumulative=True,
        cycle_label="cycle",
        flags=flags,
        metadata=_nda_metadata(header),
    )


def read_ndax(path: Path, sniffed: Sniff) -> RawTable:
    """Read a Neware ``.ndax`` file (a zip of XML settings and binary ``.ndc`` tables)."""
    _check_ndax(path)
    frame = _decode(path, ".ndax", "Neware .ndax")
    return RawTable(
        _canonical(frame), cumulative=True, cycle_label="cycle", metadata=_ndax_metadata(path)
    )


def _check_ndax(path: Path) -> None:
    """Refuse a damaged, incomplete or bomb-like ``.ndax`` before fastnda inflates it."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestError(
            "The Neware .ndax file is damaged or truncated: its zip structure cannot be read."
        ) from exc
    names = {info.filename for info in infos}
    if NDAX_DATA not in names:
        raise IngestError(
            f"The Neware .ndax file has no {NDAX_DATA} member (the measured data): "
            "it is incomplete."
        )
    inflated = sum(info.file_size for info in infos)
    if inflated > MAX_NDAX_RATIO * max(path.stat().st_size, 1):
        raise IngestError(
            f"The Neware .ndax file unpacks to more than {MAX_NDAX_RATIO} times its size, "
            "which looks like a zip bomb."
        )


def _decode(path: Path, suffix: str, label: str) -> pl.DataFrame:
    import fastnda  # imported here: it patches zlib with isal when loaded

    try:
        with _named(path, suffix) as target, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fastnda.read(target, cycle_mode="raw")
    except IngestError:
        raise
    except Exception as exc:
        log.info("fastnda could not read a %s file", label, exc_info=True)
        raise IngestError(
            f"The {label} file could not be read: it is damaged, truncated, or written by a "
            "BTS version the reader does not know."
        ) from exc


@contextlib.contextmanager
def _named(path: Path, suffix: str) -> Iterator[Path]:
    """``path`` under a name ending in ``suffix``: fastnda picks its decoder by the suffix,
    and the portal stores uploads under generated names (a symlink in a scratch folder)."""
    if path.suffix.lower() == suffix:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="neware_") as folder:
        alias = Path(folder) / f"file{suffix}"
        try:
            alias.symlink_to(path.resolve())
        except OSError as exc:
            raise IngestError("The file could not be read.") from exc
        yield alias


def _canonical(frame: pl.DataFrame) -> pl.DataFrame:
    """fastnda's columns in canonical names and SI units, with cumulative counters."""
    if frame.height == 0:
        raise IngestError("The Neware file has no data records.")
    step = pl.col("step_count")
    first_of_step = (step != step.shift(1)).fill_null(True)
    counters = []
    for net, (charge, discharge), scale in (
        ("capacity_mAh", (canonical.CHARGE_CAPACITY, canonical.DISCHARGE_CAPACITY), 1e-3),
        ("energy_mWh", (canonical.CHARGE_ENERGY, canonical.DISCHARGE_ENERGY), 1e-3),
    ):
        value = pl.col(net).cast(pl.Float64).fill_null(strategy="forward").fill_null(0.0)
        # The net counter restarts at 0 with every step: a step's first row counts from 0.
        increment = pl.when(first_of_step).then(value).otherwise(value - value.shift(1)) * scale
        counters += [
            increment.clip(lower_bound=0.0).cum_sum().alias(charge),
            (-increment).clip(lower_bound=0.0).cum_sum().alias(discharge),
        ]
    temperature = next((name for name in frame.columns if _TEMPERATURE.match(name)), None)
    columns = [
        pl.col("total_time_s").cast(pl.Float64).alias(canonical.TEST_TIME),
        pl.col("cycle_count").cast(pl.Int64).alias(canonical.CYCLE),
        pl.col("step_index").cast(pl.Int64).alias(canonical.STEP),
        (pl.col("current_mA").cast(pl.Float64) * 1e-3).alias(canonical.CURRENT),
        pl.col("voltage_V").cast(pl.Float64).alias(canonical.VOLTAGE),
        *counters,
    ]
    if temperature is not None:
        columns.append(pl.col(temperature).cast(pl.Float64).alias(canonical.TEMPERATURE))
    return frame.select(columns)


def _nda_header(path: Path) -> dict[str, Any]:
    """fastnda's reading of the ``.nda`` header (empty when it cannot read it)."""
    try:
        from fastnda import read_metadata

        with _named(path, ".nda") as target, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return dict(read_metadata(target))
    except Exception:
        log.info("no metadata from a Neware .nda file", exc_info=True)
        return {}


def _nda_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    """What the ``.nda`` header states (software version, remarks, start, active mass)."""
    out: dict[str, Any] = {}
    if meta.get("bts_version"):
        out["cycler"] = f"Neware BTS {meta['bts_version']}"
    if str(meta.get("remarks") or "").strip():
        out["test_name"] = str(meta["remarks"]).strip()
    if meta.get("start_time"):
        out["start_time"] = str(meta["start_time"])
    mass = meta.get("active_mass_mg")
    if isinstance(mass, int | float) and mass > 0:
        out["active_mass_g"] = float(mass) / 1000
    return out


def _ndax_metadata(path: Path) -> dict[str, Any]:
    """What ``TestInfo.xml``, ``Step.xml`` and ``VersionInfo.xml`` state about the test."""
    try:
        with zipfile.ZipFile(path) as archive:
            xml = {
                name: _xml(archive, name)
                for name in ("TestInfo.xml", "Step.xml", "VersionInfo.xml")
            }
    except Exception:
        log.info("no metadata from a Neware .ndax file", exc_info=True)
        return {}
    out: dict[str, Any] = {}
    version = _attr(xml["VersionInfo.xml"], "config/ZwjVersion", "CurrClientVer")
    if version:
        out["cycler"] = "Neware " + version.split("(")[0].strip()
    info = xml["TestInfo.xml"]
    device, unit, channel = (
        _attr(info, "config/TestInfo", key) for key in ("DevID", "UnitID", "ChlID")
    )
    if channel:
        out["channel"] = "-".join(part for part in (device, unit, channel) if part)
    start = _attr(info, "config/TestInfo", "StartTime")
    if start:
        out["start_time"] = start.replace(" ", "T")
    step = xml["Step.xml"]
    name = _value(step, "config/Head_Info/Remark") or _attr(info, "config/TestInfo", "Barcode")
    if name:
        out["test_name"] = name
    out.update(_step_limits(step))
    return out


def _step_limits(step: Any) -> dict[str, Any]:
    """Voltage limits and C-rates of the schedule, and the capacity its C-rates refer to."""
    out: dict[str, Any] = {}
    steps = step.find("config/Step_Info") if step is not None else None
    if steps is None:
        return out
    charge_volts, discharge_volts, charge_rates, discharge_rates = [], [], set(), set()
    ratios = []
    for item in steps:
        kind = item.get("Step_Type")
        main = item.find("Limit/Main")
        if main is None or kind not in CHARGE_STEP_TYPES | DISCHARGE_STEP_TYPES:
            continue
        volt = _number(_value(main, "Stop_Volt") or _value(main, "Volt"))
        rate = _number(_value(main, "Rate"))
        current = _number(_value(main, "Curr"))
        charging = kind in CHARGE_STEP_TYPES
        if volt:
            (charge_volts if charging else discharge_volts).append(volt * STEP_VOLT_V)
        if rate:
            (charge_rates if charging else discharge_rates).add(rate)
            if current:
                ratios.append(current / rate)  # mAh: the current that rate stands for
    if charge_volts:
        out["voltage_max_v"] = max(charge_volts)
    if discharge_volts:
        out["voltage_min_v"] = min(discharge_volts)
    # A C-rate is reported only when every charge (or discharge) step uses the same one.
    if len(charge_rates) == 1:
        out["c_rate_charge"] = charge_rates.pop()
    if len(discharge_rates) == 1:
        out["c_rate_discharge"] = discharge_rates.pop()
    # MultCap is the capacity the C-rates refer to, in mAs; it is reported only when the
    # steps' own current / rate pairs confirm it (within 1 %).
    capacity = _number(_value(step, "config/Head_Info/MultCap"))
    if capacity and ratios and all(abs(r * 3600 / capacity - 1) < 0.01 for r in ratios):
        out["nominal_capacity_ah"] = capacity / 3.6e6
    return out


def _xml(archive: zipfile.ZipFile, name: str) -> Any:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_XML_BYTES:
        return None
    text = archive.read(name).decode("gb18030", errors="replace")
    return ElementTree.fromstring(text)


def _attr(root: Any, where: str, key: str) -> str | None:
    node = root.find(where) if root is not None else None
    value = node.get(key) if node is not None else None
    return value.strip() if value and value.strip() else None


def _value(root: Any, where: str) -> str | None:
    return _attr(root, where, "Value")


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and value == value else None


NDA_MAGIC = b"NEWARE"


def is_nda(_path: Path, head: bytes) -> bool:
    """A native .nda starts with Neware's magic word."""
    return head.startswith(NDA_MAGIC)


def is_ndax(path: Path, _head: bytes) -> bool:
    """An .ndax: a zip with data.ndc and the test's XML settings."""
    return container_format(path) == "neware_ndax"
