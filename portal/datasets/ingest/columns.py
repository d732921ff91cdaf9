"""Match vendor column headers to canonical quantities and find their unit scale."""

import re
from dataclasses import dataclass

import polars as pl

from . import canonical

_PAREN_UNIT = re.compile(r"^(.*?)\s*[(\[]([^()\[\]]*)[)\]]\s*$")
_LABEL_UNIT = re.compile(r"^(.*?)\s+/\s+(.+)$")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")

# Unit text (lower case, spaces removed) -> factor to the canonical SI unit.
UNIT_SCALES: dict[str, dict[str, float]] = {
    "current": {"": 1.0, "a": 1.0, "ma": 1e-3, "ua": 1e-6, "µa": 1e-6, "na": 1e-9},
    "voltage": {"": 1.0, "v": 1.0, "mv": 1e-3},
    "capacity": {
        "": 1.0,
        "ah": 1.0,
        "a.h": 1.0,
        "a·h": 1.0,
        "mah": 1e-3,
        "ma.h": 1e-3,
        "ma·h": 1e-3,
        "uah": 1e-6,
        "µa.h": 1e-6,
        "µah": 1e-6,
        "c": 1 / 3600,  # coulombs (BioLogic dQ/C)
        "mc": 1e-3 / 3600,
    },
    "energy": {"": 1.0, "wh": 1.0, "w.h": 1.0, "mwh": 1e-3, "mw.h": 1e-3, "kwh": 1e3},
    "time": {
        "": 1.0,
        "s": 1.0,
        "sec": 1.0,
        "second": 1.0,
        "ms": 1e-3,
        "min": 60.0,
        "h": 3600.0,
        # clock text such as 12:34:56.789, converted by the reader
        "h:min:s.ms": 1.0,
        "h:min:s": 1.0,
        "hh:mm:ss": 1.0,
    },
    "temperature": {
        "": 1.0,
        "c": 1.0,
        "°c": 1.0,
        "degc": 1.0,
        "℃": 1.0,
        "celsius": 1.0,
        "ºc": 1.0,
        "\ufffdc": 1.0,  # ° in a Windows-1252 header, replaced while decoding as UTF-8
    },
    "index": {"": 1.0, "1": 1.0},
}
_ALL_UNITS = {unit for scales in UNIT_SCALES.values() for unit in scales if unit}


def key(text: str) -> str:
    """Lower-case ``text`` and drop everything but letters and digits."""
    return _NON_ALNUM.sub("", text.lower())


def split_header(name: str) -> tuple[str, str]:
    """Split a header such as ``Current(mA)``, ``Voltage / V`` or ``I/mA`` into (base key, unit)."""
    text = name.strip().strip('"').strip()
    for pattern in (_PAREN_UNIT, _LABEL_UNIT):
        match = pattern.match(text)
        if match and match.group(1).strip():
            return key(match.group(1)), match.group(2).strip().lower().replace(" ", "")
    if "/" in text:
        base, unit = text.rsplit("/", 1)
        unit = unit.strip().lower().replace(" ", "")
        if unit in _ALL_UNITS and base.strip():
            return key(base), unit
    return key(text), ""


@dataclass(frozen=True)
class Column:
    """A source column and the factor that converts it to the canonical unit."""

    name: str
    scale: float


def find(columns: list[str], bases: tuple[str, ...], kind: str) -> Column | None:
    """Return the first column (in ``bases`` preference order) whose base and unit fit ``kind``."""
    scales = UNIT_SCALES[kind]
    parsed = [(name, *split_header(name)) for name in columns]
    for wanted in bases:
        for name, base, unit in parsed:
            if base == wanted and unit in scales:
                return Column(name, scales[unit])
    return None


def header_keys(columns: list[str]) -> set[str]:
    """Base keys of all headers, for format signatures."""
    return {split_header(name)[0] for name in columns}


# canonical name -> (header base keys in order of preference, unit kind in UNIT_SCALES)
ColumnMap = dict[str, tuple[tuple[str, ...], str]]

# How the tidy exports (Arbin, Battery Archive, BDF labels) name each quantity, and its unit kind.
USUAL: ColumnMap = {
    canonical.TEST_TIME: (("testtime",), "time"),
    canonical.CYCLE: (("cycleindex",), "index"),
    canonical.STEP: (("stepindex",), "index"),
    canonical.CURRENT: (("current",), "current"),
    canonical.VOLTAGE: (("voltage",), "voltage"),
    canonical.CHARGE_CAPACITY: (("chargecapacity",), "capacity"),
    canonical.DISCHARGE_CAPACITY: (("dischargecapacity",), "capacity"),
    canonical.CHARGE_ENERGY: (("chargeenergy",), "energy"),
    canonical.DISCHARGE_ENERGY: (("dischargeenergy",), "energy"),
    canonical.TEMPERATURE: (("temperature",), "temperature"),
}


def column_map(
    names: dict[str, tuple[str, ...] | None] | None = None, *, kind: str | None = None
) -> ColumnMap:
    """The usual map with a reader's own header ``names`` (None: the quantity is not read);
    ``kind`` reads every column with that one unit kind instead of the quantity's own."""
    bases = {name: usual for name, (usual, _kind) in USUAL.items()} | (names or {})
    return {
        name: (found, kind or USUAL[name][1]) for name, found in bases.items() if found is not None
    }


def locate(columns: list[str], fields: ColumnMap) -> dict[str, Column]:
    """Map canonical names to the source columns found for them."""
    found = {}
    for name, (bases, kind) in fields.items():
        column = find(columns, bases, kind)
        if column is not None:
            found[name] = column
    return found


def scaled(found: dict[str, Column]) -> list[pl.Expr]:
    """Each located column in its canonical unit, under its canonical name."""
    return [(pl.col(column.name) * column.scale).alias(name) for name, column in found.items()]


def read_types(found: dict[str, Column], *text: str) -> dict[str, pl.DataType]:
    """How to parse the located columns (as floats) and the ``text`` ones (clock times, states)."""
    return {column.name: pl.Float64() for column in found.values()} | {
        name: pl.String() for name in text
    }
