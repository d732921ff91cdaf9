"""Cycler exports of any size, made by repeating a real sample from the shared data folder.

Each repetition continues the record numbers, the cycle counters and the test time where the
previous one ended, so the result reads as one long test with the sample's own preamble, bytes,
units and quirks (Maccor's vendor bytes and trailing tabs, PEC's ``Key:,Value`` block, Neware's
``hhh:mm:ss`` clock text).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

# A column's index and how its text moves on by a number of repetitions.
Rewrite = tuple[int, Callable[[bytes, int], bytes]]

CYCLER_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "cycler"


@dataclass(frozen=True)
class Sample:
    """A shared sample and which of its columns continue from one repetition to the next."""

    name: str
    header_lines: int  # everything before the first data row
    header_row: int  # the column names, counting from 0 (for polars' own scan)
    separator: bytes
    records: tuple[int, ...] = ()  # numbered rows: + the sample's row count per repetition
    cycles: tuple[int, ...] = ()  # + the sample's last cycle per repetition
    seconds: tuple[int, ...] = ()  # the test time in seconds: + the sample's duration
    clock: tuple[int, ...] = ()  # the test time as h:mm:ss text: + the sample's duration
    wallclock: tuple[int, ...] = ()  # a date and time of day: + the sample's duration
    unsigned: int | None = None  # a current column to write without its sign
    dropped: tuple[int, ...] = ()  # columns left out, header and rows

    @property
    def path(self) -> Path:
        """The sample file itself."""
        return CYCLER_DIR / self.name


MACCOR = Sample("maccor_002.txt", 15, 13, b"\t", records=(0,), cycles=(1, 2), seconds=(4,))
PEC = Sample("pec.csv", 33, 32, b",", cycles=(7,), seconds=(8,))
# The same PEC test as an export whose current has no sign, which the reader signs per step.
PEC_UNSIGNED = Sample("pec.csv", 33, 32, b",", cycles=(7,), seconds=(8,), unsigned=16)
NEWARE = Sample("neware_uio.csv", 1, 0, b",", records=(0,), cycles=(1,), clock=(5,))
# The same Neware test as an export timed only by its wall clock (no step or total time).
NEWARE_WALLCLOCK = Sample(
    "neware_uio.csv", 1, 0, b",", records=(0,), cycles=(1,), wallclock=(20,), dropped=(4, 5)
)
STAMP = "%Y-%m-%d %H:%M:%S"


def _seconds(text: bytes) -> float:
    hours, minutes, seconds = text.split(b":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


@cache  # each of the sample's stamps is read once, not once per repetition
def _stamp(text: bytes) -> datetime:
    return datetime.strptime(text.decode(), STAMP)


def _later(text: bytes, seconds: float) -> bytes:
    return (_stamp(text) + timedelta(seconds=seconds)).strftime(STAMP).encode()


def _duration(sample: Sample, table: list[list[bytes]]) -> float:
    """How long the sample's test ran, and a second more: the next repetition starts there."""
    if sample.wallclock:
        column = sample.wallclock[0]
        elapsed = _stamp(table[-1][column]) - _stamp(table[0][column])
        return elapsed.total_seconds() + 1.0
    last = table[-1][(sample.seconds or sample.clock)[0]]
    return (_seconds(last) if sample.clock else float(last)) + 1.0


def _decimal(text: bytes, value: float) -> bytes:
    """``value`` with as many decimals as the sample wrote in ``text``."""
    decimals = len(text) - text.index(b".") - 1 if b"." in text else 0
    return b"%.*f" % (decimals, value)


def _clock(seconds: float) -> bytes:
    whole = round(seconds)
    return b"%02d:%02d:%02d" % (whole // 3600, whole // 60 % 60, whole % 60)


def _span(table: list[list[bytes]], column: int) -> int:
    """How many cycle numbers the sample uses in ``column`` (from 0 or from 1)."""
    numbers = [int(row[column]) for row in table]
    return max(numbers) - min(numbers) + 1


def _rewrites(sample: Sample, table: list[list[bytes]], duration: float) -> list[Rewrite]:
    """Each continuing column and how its text moves on by ``r`` repetitions."""
    rows = len(table)
    plans: list[Rewrite] = [(i, lambda v, r: b"%d" % (int(v) + r * rows)) for i in sample.records]
    for i in sample.cycles:
        span = _span(table, i)
        plans.append((i, lambda v, r, span=span: b"%d" % (int(v) + r * span)))
    plans += [(i, lambda v, r: _decimal(v, float(v) + r * duration)) for i in sample.seconds]
    plans += [(i, lambda v, r: _clock(_seconds(v) + r * duration)) for i in sample.clock]
    plans += [(i, lambda v, r: _later(v, r * duration)) for i in sample.wallclock]
    if sample.unsigned is not None:
        plans.append((sample.unsigned, lambda v, r: v.lstrip(b"-")))
    return plans


def generate_sample(sample: Sample, path: Path, rows: int) -> None:
    """Write at least ``rows`` data rows: whole repetitions of the sample's own rows."""
    lines = sample.path.read_bytes().replace(b"\r\n", b"\n").rstrip(b"\n").split(b"\n")
    header, data = lines[: sample.header_lines], lines[sample.header_lines :]
    table = [line.split(sample.separator) for line in data]
    plans = _rewrites(sample, table, _duration(sample, table))
    kept = [i for i in range(len(table[0])) if i not in sample.dropped]
    if sample.dropped:
        names = header[-1].split(sample.separator)
        header[-1] = sample.separator.join(names[i] for i in kept if i < len(names))
    with open(path, "wb") as out:
        out.write(b"\n".join(header) + b"\n")
        repetition = 0
        while repetition * len(table) < rows:
            block = []
            for row in table:
                fields = list(row)
                for index, rewrite in plans:
                    fields[index] = rewrite(row[index], repetition)
                if sample.dropped:
                    fields = [fields[i] for i in kept]
                block.append(sample.separator.join(fields))
            out.write(b"\n".join(block) + b"\n")
            repetition += 1
