"""Recognise a cycler export from its content: magic bytes, preamble and header columns."""

import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree

from .canonical import FORMAT_LABELS, SUPPORTED_FORMATS
from .columns import header_keys, key, split_header
from .errors import IngestError

HEAD_BYTES = 256 * 1024
MAX_HEADER_LINE = 200
MPR_MAGIC = b"BIO-LOGIC MODULAR FILE"
NDA_MAGIC = b"NEWARE"
ZIP_MAGIC = b"PK\x03\x04"
# Microsoft Access (Jet 3/4 and ACE) databases; Arbin's .res is one, known by its tables.
ACCESS_MAGICS = (b"\x00\x01\x00\x00Standard Jet DB", b"\x00\x01\x00\x00Standard ACE DB")
ARBIN_RES_TABLES = ("Channel_Normal_Table", "Global_Table")
# An .ndax is a zip whose members include data.ndc and the XML settings of the test.
NDAX_DATA = "data.ndc"
NDAX_SETTINGS = {"Step.xml", "TestInfo.xml", "VersionInfo.xml"}
NDAX_REQUIRED = {"Step.xml", "TestInfo.xml"}
MAX_WORKBOOK_XML = 4 * 1024 * 1024
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
    if head.startswith(NDA_MAGIC):
        return Sniff("neware_nda", header_line=-1)
    if head.startswith(ACCESS_MAGICS):
        return _sniff_access(head)
    if head.startswith(ZIP_MAGIC):
        return _sniff_zip(path, head)
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
    nested = _sniff_btsda_nested(lines)
    if nested is not None:
        return nested
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
    pec_only = {"reasoncode", "loadontime", "positionstarttime"}
    if {"totaltime", "cycle", "step", "voltage", "current"} <= keys and keys & pec_only:
        return "pec_csv"
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


def container_format(path: Path | str) -> str | None:
    """The cycler format of a file that is a zip inside (an .ndax, a BTSDA workbook), "xlsx"
    for any other Excel workbook, or None for a plain archive (or not a zip at all).

    Uploads ask this before unpacking a zip, so such files reach their reader whole.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError:
        return None
    if not head.startswith(ZIP_MAGIC):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            # data.ndc with its settings; or the settings alone (an .ndax missing its data,
            # which its reader then refuses by name).
            if (NDAX_DATA in names and names & NDAX_SETTINGS) or names >= NDAX_REQUIRED:
                return "neware_ndax"
            if "xl/workbook.xml" in names:
                return "neware_btsda_xlsx" if is_btsda_workbook(sheet_names(archive)) else "xlsx"
            return None
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, ElementTree.ParseError):
        # A truncated file has lost its central directory; its first members still name it.
        members = set(_local_member_names(head))
        if NDAX_DATA in members or members & NDAX_SETTINGS:
            return "neware_ndax"
        if any(name.startswith("xl/") for name in members) or "[Content_Types].xml" in members:
            return "xlsx"
        return None


def sheet_names(archive: zipfile.ZipFile) -> list[str]:
    """The sheet names of an .xlsx workbook, in workbook order."""
    info = archive.getinfo("xl/workbook.xml")
    if info.file_size > MAX_WORKBOOK_XML:
        return []
    root = ElementTree.fromstring(archive.read(info))
    return [node.get("name", "") for node in root.iter() if node.tag.rsplit("}", 1)[-1] == "sheet"]


def is_btsda_workbook(sheets: list[str]) -> bool:
    """A Neware BTSDA export: a Statis (step) sheet and a Record sheet (rows)."""
    lowered = {name.strip().lower() for name in sheets}
    return "statis" in lowered and any(re.fullmatch(r"record[_ ]?\d*", n) for n in lowered)


def _sniff_zip(path: Path, head: bytes) -> Sniff:
    fmt = container_format(path)
    if fmt in ("neware_ndax", "neware_btsda_xlsx"):
        return Sniff(fmt, header_line=-1)
    if fmt == "xlsx":
        found = ""
        try:
            with zipfile.ZipFile(path) as archive:
                shown = [_PRINTABLE.sub("?", name)[:40] for name in sheet_names(archive)[:10]]
            found = f" (sheets found: {', '.join(shown)})" if shown else ""
        except (zipfile.BadZipFile, OSError, ValueError, KeyError, ElementTree.ParseError):
            found = " (and it is damaged)"
        raise IngestError(
            f"This Excel workbook is not a Neware BTSDA export{found}. Other Excel workbooks "
            "are not supported: export the data sheet as CSV."
        )
    raise IngestError("This is a .zip archive: unpack it or upload it as an archive.")


def _local_member_names(head: bytes, limit: int = 32) -> list[str]:
    """Names in the local headers at the start of a zip (readable even when it is cut short)."""
    names, at = [], 0
    while len(names) < limit and head.startswith(ZIP_MAGIC, at) and at + 30 <= len(head):
        flags, size, name_length, extra = struct.unpack_from("<6xH10xI4xHH", head, at)
        start = at + 30
        names.append(head[start : start + name_length].decode("utf-8", errors="replace"))
        if flags & 0x08:  # sizes follow the data: the next header cannot be found cheaply
            break
        at = start + name_length + extra + size
    return names


def _sniff_access(head: bytes) -> Sniff:
    # Jet 4 stores the table names of its catalog in UTF-16; older files in single bytes.
    found = [
        name
        for name in ARBIN_RES_TABLES
        if name.encode("utf-16-le") in head or name.encode("ascii") in head
    ]
    if len(found) == len(ARBIN_RES_TABLES):
        return Sniff("arbin_res", header_line=-1)
    raise IngestError(
        "This is a Microsoft Access database, but not an Arbin .res file (it has no "
        "Channel_Normal_Table and Global_Table tables)."
    )


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


def _sniff_btsda_nested(lines: list[str]) -> Sniff | None:
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
            return Sniff("neware_btsda_csv", index + 2, ",", record)
    return None


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
