"""Cycler files that are zips inside (Neware .ndax, BTSDA .xlsx) told apart from upload archives."""

import re
import struct
import zipfile
from pathlib import Path

from defusedxml import ElementTree

from .errors import IngestError

HEAD_BYTES = 256 * 1024
ZIP_MAGIC = b"PK\x03\x04"
# An .ndax is a zip whose members include data.ndc and the XML settings of the test.
NDAX_DATA = "data.ndc"
NDAX_SETTINGS = {"Step.xml", "TestInfo.xml", "VersionInfo.xml"}
NDAX_REQUIRED = {"Step.xml", "TestInfo.xml"}
MAX_WORKBOOK_XML = 4 * 1024 * 1024
_PRINTABLE = re.compile(r"[^\x20-\x7e\u00a0-\uffff]")
_ZIP_ERRORS = (zipfile.BadZipFile, OSError, ValueError, KeyError, ElementTree.ParseError)


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
    except _ZIP_ERRORS:
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


def refuse_zip(path: Path) -> IngestError:
    """The refusal for a zip no cycler format claimed: another workbook, or an archive."""
    if container_format(path) != "xlsx":
        return IngestError("This is a .zip archive: unpack it or upload it as an archive.")
    try:
        with zipfile.ZipFile(path) as archive:
            shown = [_PRINTABLE.sub("?", name)[:40] for name in sheet_names(archive)[:10]]
        found = f" (sheets found: {', '.join(shown)})" if shown else ""
    except _ZIP_ERRORS:
        found = " (and it is damaged)"
    return IngestError(
        f"This Excel workbook is not a Neware BTSDA export{found}. Other Excel workbooks "
        "are not supported: export the data sheet as CSV."
    )


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
