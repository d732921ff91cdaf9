"""Recognise a cycler export from its content: magic bytes, preamble and header columns.

Which formats exist, and in which order they are asked, is ``formats.FORMATS``.
"""

import re
from pathlib import Path

from .columns import header_keys
from .containers import refuse_zip
from .errors import IngestError
from .formats import FORMATS, supported_labels
from .header import HeaderAt, HeaderRow, Sniff

HEAD_BYTES = 256 * 1024
MAX_HEADER_LINE = 200
ZIP_MAGIC = b"PK\x03\x04"
_PRINTABLE = re.compile(r"[^\x20-\x7e\u00a0-\uffff]")


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
    for cycler_format in FORMATS:
        if cycler_format.binary is not None and cycler_format.binary(path, head):
            return Sniff(cycler_format.name, header_line=-1)
    if head.startswith(ZIP_MAGIC):
        raise refuse_zip(path)
    if b"\x00" in head[:4096]:
        raise _unrecognised([], _first_line(head))
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.split("\n")
    if len(head) == HEAD_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in the middle
    lines = [line.rstrip("\r") for line in lines[:MAX_HEADER_LINE]]

    for cycler_format in FORMATS:
        found = cycler_format.preamble(lines) if cycler_format.preamble is not None else None
        if found is not None:
            return _text_sniff(cycler_format.name, found, lines)
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
            return _text_sniff(fmt, HeaderAt(index, delimiter, cells), lines)
        _refuse_known_non_data(cells)
    raise _unrecognised(widest, _first_line(head))


def classify(cells: list[str]) -> str | None:
    """Name the first format (in registry order) whose header signature ``cells`` match, or None."""
    row = HeaderRow.of(cells)
    for cycler_format in FORMATS:
        if cycler_format.header is not None and cycler_format.header(row):
            return cycler_format.name
    return None


def _text_sniff(fmt: str, found: HeaderAt, lines: list[str]) -> Sniff:
    # Decimal commas only where the comma cannot be the separator (EC-Lab, ';' files).
    decimal_comma = found.delimiter != "," and _uses_decimal_comma(
        lines[found.line + 1 :], found.delimiter
    )
    return Sniff(fmt, found.line, found.delimiter, found.cells, decimal_comma)


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
    supported = supported_labels()
    if len(columns) >= 2:
        shown = [_PRINTABLE.sub("?", name)[:40] for name in columns[:15]]
        more = f" (and {len(columns) - 15} more)" if len(columns) > 15 else ""
        found = f"Columns found: {', '.join(shown)}{more}."
    else:
        found = f"First line found: '{first_line}'."
    return IngestError(
        f"This file is not in a recognised cycler format. {found} Supported formats: {supported}."
    )
