"""Recognise a cycler export from its content: magic bytes, preamble and header columns."""

import re
from dataclasses import dataclass, field
from pathlib import Path

from .canonical import FORMAT_LABELS, SUPPORTED_FORMATS
from .columns import header_keys, split_header
from .errors import IngestError

HEAD_BYTES = 256 * 1024
MAX_HEADER_LINE = 200
MPR_MAGIC = b"BIO-LOGIC MODULAR FILE"
_MPT_FIRST_LINE = re.compile(r"^(EC|BT)-Lab ASCII FILE", re.IGNORECASE)
_MPT_HEADER_COUNT = re.compile(r"Nb header lines\s*:\s*(\d+)", re.IGNORECASE)
_PRINTABLE = re.compile(r"[^\x20-\x7e\u00a0-\uffff]")


@dataclass(frozen=True)
class Sniff:
    """What detection learnt: the format, where the header line is, and how cells are split."""

    format: str
    header_line: int = 0
    delimiter: str = ","
    columns: list[str] = field(default_factory=list)
    decimal_comma: bool = False


def detect_format(path: Path | str) -> str:
    """Return the format name of a cycler file, or raise IngestError listing what was found."""
    return sniff(Path(path)).format


def sniff(path: Path) -> Sniff:
    """Detect the format and the header position of ``path``."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        raise IngestError("The file could not be opened.") from exc
    if not head.strip():
        raise IngestError("The file is empty.")
    if head.startswith(MPR_MAGIC):
        return Sniff("biologic_mpr", header_line=-1)
    if head.startswith(b"PK\x03\x04"):
        if b"xl/" in head or b"[Content_Types].xml" in head:
            raise IngestError("Excel workbooks are not supported: export the data sheet as CSV.")
        raise IngestError("This is a .zip archive: unpack it or upload it as an archive.")
    if b"\x00" in head[:4096]:
        raise _unrecognised([], _first_line(head))
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.split("\n")
    if len(head) == HEAD_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in the middle
    lines = [line.rstrip("\r") for line in lines[:MAX_HEADER_LINE]]

    mpt = _sniff_mpt(lines)
    if mpt is not None:
        return mpt
    widest: list[str] = []
    for index, line in enumerate(lines):
        delimiter = _delimiter(line)
        cells = [cell.strip().strip('"').strip() for cell in line.split(delimiter)]
        while cells and not cells[-1]:
            cells.pop()
        if len(cells) > len(widest):
            widest = cells
        fmt = classify(cells)
        if fmt is not None:
            # Decimal commas only where the comma cannot be the separator (EC-Lab, ';' files).
            decimal_comma = delimiter != "," and _uses_decimal_comma(lines[index + 1 :], delimiter)
            return Sniff(fmt, index, delimiter, cells, decimal_comma)
        _refuse_known_non_data(cells)
    raise _unrecognised(widest, _first_line(head))


def classify(cells: list[str]) -> str | None:
    """Name the format whose signature columns all appear in ``cells``, or None."""
    raw = {cell.lower() for cell in cells}
    keys = header_keys(cells)
    if "time/s" in raw and raw & {"ewe/v", "ecell/v", "<ewe>/v"}:
        return "biologic_mpt"
    if {"test_time_second", "voltage_volt", "current_ampere"} <= raw:
        return "bdf_csv"
    labelled = {split_header(cell)[0] for cell in cells if " / " in cell}
    if {"testtime", "voltage", "current"} <= labelled:
        return "bdf_csv"
    if {"test_time (s)", "current (a)", "voltage (v)", "cycle_index"} <= raw:
        return "batteryarchive_csv"
    if {"test_time_s", "current_a", "voltage_v"} <= raw:
        return "landt_csv"
    if {"testtime", "cycleindex", "current", "voltage"} <= keys:
        return "arbin_csv"
    cycle = keys & {"cycleindex", "cycleid", "cycle"}
    step = keys & {"stepindex", "stepid", "step"}
    neware_capacity = keys & {"chgcap", "dchgcap", "capacitancechg", "capacitancedchg", "capacity"}
    if cycle and step and neware_capacity and keys & {"voltage"}:
        return "neware_csv"
    if keys & {"rec", "recnum"} and keys & {"amphr", "cap", "capacity"} and keys & {"state", "md"}:
        return "maccor_txt"
    return None


def _sniff_mpt(lines: list[str]) -> Sniff | None:
    if not lines or not _MPT_FIRST_LINE.match(lines[0].strip()):
        return None
    for line in lines[1:5]:
        match = _MPT_HEADER_COUNT.search(line)
        if match:
            index = int(match.group(1)) - 1
            if 0 < index < len(lines):
                cells = [cell.strip() for cell in lines[index].split("\t") if cell.strip()]
                if classify(cells) == "biologic_mpt":
                    return Sniff(
                        "biologic_mpt",
                        index,
                        "\t",
                        cells,
                        _uses_decimal_comma(lines[index + 1 :], "\t"),
                    )
    return None  # fall back to scanning every line for the header


def _delimiter(line: str) -> str:
    counts = {sep: line.count(sep) for sep in ("\t", ",", ";")}
    return max(counts, key=lambda sep: counts[sep])


def _uses_decimal_comma(data_lines: list[str], delimiter: str) -> bool:
    for line in data_lines[:5]:
        cells = line.split(delimiter)
        if any(re.fullmatch(r"-?\d+,\d+(E[-+]?\d+)?", cell.strip()) for cell in cells):
            return True
    return False


def _refuse_known_non_data(cells: list[str]) -> None:
    keys = header_keys(cells)
    if {"testid", "deviceid", "schedulefilename"} <= keys:
        raise IngestError(
            "This is an Arbin metadata file (test id, device, schedule name), not cycling data. "
            "Upload the matching time-series file instead (the one without '_Metadata')."
        )


def _first_line(head: bytes) -> str:
    first = head.split(b"\n", 1)[0][:120].decode("utf-8", errors="replace")
    return _PRINTABLE.sub("?", first).strip()


def _unrecognised(columns: list[str], first_line: str) -> IngestError:
    supported = ", ".join(FORMAT_LABELS[name] for name in SUPPORTED_FORMATS)
    if len(columns) >= 2:
        shown = [_PRINTABLE.sub("?", name)[:40] for name in columns[:15]]
        more = f" (and {len(columns) - 15} more)" if len(columns) > 15 else ""
        found = f"Columns found: {', '.join(shown)}{more}."
    else:
        found = f"First line found: '{first_line}'."
    return IngestError(
        f"This file is not in a recognised cycler format. {found} Supported formats: {supported}."
    )
