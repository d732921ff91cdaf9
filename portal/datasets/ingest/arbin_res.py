"""Arbin native ``.res`` files: a Microsoft Access (Jet) database, read through mdbtools.

``mdb-export`` turns ``Channel_Normal_Table`` into CSV on a pipe, which the block parser of
``tabular`` reads as it arrives, so memory stays bounded whatever the size of the database.
``Global_Table`` (one row per test) gives the metadata. ``Channel_Statistic_Table`` holds
Arbin's own per-cycle statistics (Vmax, charge and discharge time); the portal recomputes its
per-cycle summary from the rows, so it is not read.
"""

import contextlib
import csv
import io
import logging
import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import polars as pl

from . import canonical, tabular
from .errors import IngestError
from .header import Sniff
from .normalise import RawTable

log = logging.getLogger(__name__)

ROWS_TABLE = "Channel_Normal_Table"
GLOBAL_TABLE = "Global_Table"
REQUIRED_TABLES = (GLOBAL_TABLE, ROWS_TABLE)
# Channel_Normal_Table's columns are unit-less in the database; Arbin stores SI units.
POINT = "Data_Point"
COLUMNS = {
    POINT: POINT,
    "Test_Time": canonical.TEST_TIME,
    "Cycle_Index": canonical.CYCLE,
    "Step_Index": canonical.STEP,
    "Current": canonical.CURRENT,
    "Voltage": canonical.VOLTAGE,
    "Charge_Capacity": canonical.CHARGE_CAPACITY,
    "Discharge_Capacity": canonical.DISCHARGE_CAPACITY,
    "Charge_Energy": canonical.CHARGE_ENERGY,
    "Discharge_Energy": canonical.DISCHARGE_ENERGY,
}
# mdb-export reads a healthy file at some 20 MB/s; a damaged one can loop for ever.
TIMEOUT_BASE_S = 30
TIMEOUT_S_PER_MB = 1  # some 20x what a healthy file needs
SMALL_OUTPUT_BYTES = 1024 * 1024  # table list and Global_Table
OUTPUT_FACTOR = 20
OLE_EPOCH = datetime(1899, 12, 30)  # Access stores date-times as days since this day
MISSING_TOOL = (
    "Arbin .res files are read with mdbtools (mdb-export), which is not installed on this "
    "server: install the Debian package 'mdbtools', or export the test to CSV in MITS Pro."
)
DAMAGED = "The Arbin .res database could not be read: it is damaged or truncated."


def read(path: Path, sniffed: Sniff) -> RawTable:
    """Read the rows of an Arbin ``.res`` database and the test's metadata."""
    size = path.stat().st_size
    _check_whole_pages(path, size)
    timeout = TIMEOUT_BASE_S + TIMEOUT_S_PER_MB * size / 2**20
    tables = set(_small_output(["mdb-tables", "-1", str(path)], timeout).split())
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        raise IngestError(
            "This Microsoft Access database is not an Arbin .res file: it has no "
            f"{' or '.join(missing)} table."
        )
    tests = _global_rows(path, timeout)
    if len(tests) > 1:
        raise IngestError(
            f"This .res file holds {len(tests)} tests; export each test to its own file."
        )
    flags: list[str] = []
    frame = _rows(path, timeout, flags)
    # mdb-export writes rows in the order of the database's pages, which after Arbin's
    # appends is not always the order of measurement (the sample has a block out of place).
    if not frame.get_column(POINT).is_sorted():
        frame = frame.sort(POINT, maintain_order=True)
    flags.extend(_record_gaps(frame.get_column(POINT)))
    frame = frame.drop(POINT)
    # Charge_Capacity and Discharge_Capacity (and the energies) are cumulative within a
    # cycle and restart at zero when the cycle number changes; they do not restart at steps
    # (so not reset_each_step). normalise's restart rule (a drop below half the previous
    # value) catches each cycle's restart and carries the cycle's last value as an offset,
    # which is cellpy's convention: a cycle's capacity is its last cumulative value.
    return RawTable(
        frame,
        reset_each_step=False,
        cumulative=False,
        cycle_label="Cycle_Index",
        flags=flags,
        metadata=_metadata(tests[0]) if tests else {},
    )


def _check_whole_pages(path: Path, size: int) -> None:
    """mdbtools reads a cut-off database without complaint; its size betrays it."""
    with open(path, "rb") as handle:
        head = handle.read(0x15)
    page = 2048 if len(head) > 0x14 and head[0x14] == 0 else 4096  # Jet 3 or Jet 4 / ACE
    if size == 0 or size % page:
        raise IngestError(
            f"{DAMAGED} (Its size is not a whole number of database pages: it was cut short.)"
        )


def _record_gaps(points: pl.Series) -> list[str]:
    """Arbin numbers its records 1, 2, 3 ...: say so when some are missing or doubled."""
    points = points.drop_nulls()
    if points.is_empty():
        return []
    flags = []
    duplicated = points.len() - points.n_unique()
    missing = int(points.max() - points.min() + 1) - points.n_unique()
    if missing > 0:
        flags.append(
            f"{missing} records are missing (gaps in Data_Point): the file may be damaged."
        )
    if duplicated:
        flags.append(f"{duplicated} records are duplicated (repeated Data_Point).")
    return flags


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise IngestError(MISSING_TOOL)
    return found


def _small_output(args: list[str], timeout: float) -> str:
    """Run an mdbtools command whose output is small; refuse a damaged database clearly."""
    with _mdbtools(args, timeout, SMALL_OUTPUT_BYTES) as output:
        data = output.read()
    return data.decode("utf-8", errors="replace")


def _global_rows(path: Path, timeout: float) -> list[dict[str, str]]:
    text = _small_output(["mdb-export", str(path), GLOBAL_TABLE], timeout)
    return list(csv.DictReader(io.StringIO(text)))


def _rows(path: Path, timeout: float, flags: list[str]) -> pl.DataFrame:
    """Stream Channel_Normal_Table out of mdb-export into polars, block by block."""
    dtypes: dict[str, pl.DataType] = {name: pl.Float64() for name in COLUMNS}
    # CSV text of a table is a few times the database's size; far more means a loop.
    limit = OUTPUT_FACTOR * path.stat().st_size + SMALL_OUTPUT_BYTES
    with _mdbtools(["mdb-export", str(path), ROWS_TABLE], timeout, limit) as output:
        frame = tabular.read_stream(output, ",", dtypes, flags)
    return frame.rename(COLUMNS)


@contextlib.contextmanager
def _mdbtools(args: list[str], timeout: float, limit: int) -> Iterator["_Bounded"]:
    """Run an mdbtools program and yield its output, bounded in time and size.

    A damaged database can send mdb-export into an endless loop (seen: millions of
    warnings a second on standard error and no rows), so standard error is discarded and
    the run is killed after ``timeout`` seconds or ``limit`` bytes of output.
    """
    process = subprocess.Popen(  # noqa: S603 (fixed program, the path is one argument)
        [_tool(args[0]), *args[1:]],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        process.kill()

    timer = threading.Timer(timeout, stop)
    timer.start()
    assert process.stdout is not None
    output = _Bounded(process.stdout, limit)
    try:
        yield output
        if output.exceeded:
            process.kill()
        process.stdout.close()
        returncode = process.wait()
    except BaseException:
        process.kill()
        process.wait()
        raise
    finally:
        timer.cancel()
    if timed_out.is_set():
        raise IngestError(f"{DAMAGED} (Reading it took too long.)")
    if output.exceeded or returncode != 0:
        log.info("%s failed (exit %s, output over limit: %s)", args[0], returncode, output.exceeded)
        raise IngestError(DAMAGED)


class _Bounded:
    """A pipe that reads as empty (end of data) once ``limit`` bytes have come through."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self.stream, self.left, self.exceeded = stream, limit, False

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(self.left + 1 if size < 0 else min(size, self.left + 1))
        return self._count(data)

    def readline(self) -> bytes:
        return self._count(self.stream.readline(self.left + 1))

    def readinto(self, buffer: memoryview) -> int:
        if self.exceeded:
            return 0
        size = self.stream.readinto(buffer) or 0
        self.left -= size
        if self.left < 0:
            self.exceeded = True
            return 0
        return size

    def _count(self, data: bytes) -> bytes:
        self.left -= len(data)
        if self.left < 0:
            self.exceeded = True
            return b""
        return data


def _metadata(row: dict[str, str]) -> dict[str, Any]:
    """What Global_Table states: test name, channel, start, software and active mass."""
    out: dict[str, Any] = {}
    software = (row.get("Software_Version") or "").strip()
    out["cycler"] = f"Arbin (software {software})" if software else "Arbin"
    if (row.get("Channel_Index") or "").strip():
        out["channel"] = row["Channel_Index"].strip()
    if (row.get("Test_Name") or "").strip():
        out["test_name"] = row["Test_Name"].strip()
    start = _number(row.get("Start_DateTime"))
    if start is not None and start > 0:
        with contextlib.suppress(OverflowError, ValueError):
            stamp = OLE_EPOCH + timedelta(days=start)
            out["start_time"] = stamp.replace(microsecond=0).isoformat()
    # MITS Pro takes the active mass in grams (MASS x Specific_Capacity in Ah/g is the cell's
    # capacity); 0 means it was not entered. The Capacity field's unit is not stated, so it
    # is not reported.
    mass = _number(row.get("MASS"))
    if mass is not None and mass > 0:
        out["active_mass_g"] = mass
    return out


def _number(text: str | None) -> float | None:
    try:
        value = float(text or "")
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


# Microsoft Access (Jet 3/4 and ACE) databases; Arbin's .res is one, known by its tables.
ACCESS_MAGICS = (b"\x00\x01\x00\x00Standard Jet DB", b"\x00\x01\x00\x00Standard ACE DB")
ARBIN_RES_TABLES = ("Channel_Normal_Table", "Global_Table")


def is_res(_path: Path, head: bytes) -> bool:
    """An Access database holding Arbin's tables; any other Access database is refused."""
    if not head.startswith(ACCESS_MAGICS):
        return False
    # Jet 4 stores the table names of its catalog in UTF-16; older files in single bytes.
    found = [
        name
        for name in ARBIN_RES_TABLES
        if name.encode("utf-16-le") in head or name.encode("ascii") in head
    ]
    if len(found) == len(ARBIN_RES_TABLES):
        return True
    raise IngestError(
        "This is a Microsoft Access database, but not an Arbin .res file (it has no "
        "Channel_Normal_Table and Global_Table tables)."
    )
