"""Read the needed columns of a delimited cycler export with polars, without a row loop."""

import os
import threading
import warnings
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import polars as pl

from .columns import Column, locate
from .errors import IngestError
from .header import Sniff
from .normalise import RawTable, lost_lines

# The text is parsed in blocks of whole lines read into one reused buffer: parsing the whole
# file at once keeps a copy of all of it in memory (about the file's size) until the end.
BLOCK_BYTES = 16 * 1024 * 1024


def _options(sniffed: Sniff) -> dict:
    return {
        "separator": sniffed.delimiter,
        "infer_schema": False,
        "ignore_errors": True,
        "truncate_ragged_lines": True,
        "decimal_comma": sniffed.decimal_comma,
        "raise_if_empty": False,
    }


def header(path: Path, sniffed: Sniff) -> list[str]:
    """Column names exactly as polars parses them."""
    scan = pl.scan_csv(
        path,
        skip_lines=sniffed.header_line,
        has_header=True,
        encoding="utf8-lossy",
        **_options(sniffed),
    )
    return scan.collect_schema().names()


def scan(path: Path, sniffed: Sniff, dtypes: dict[str, pl.DataType]) -> tuple[pl.LazyFrame, int]:
    """A lazy plan reading only the columns in ``dtypes`` with those types, and the number of
    data lines in the file (rows fewer than that mean lines were joined by a stray quote).

    Bad numeric cells become null. Nothing is parsed until the plan runs, so the pipeline can
    stream it to Parquet in bounded memory.
    """
    names = header(path, sniffed)
    schema, wanted = _positional(names, dtypes)
    lines, encoding = _lines_and_encoding(path, sniffed.header_line + 1)
    plan = pl.scan_csv(
        path,
        skip_lines=sniffed.header_line + 1,
        has_header=False,
        schema=schema,
        extra_columns="ignore",
        missing_columns="insert",
        encoding=encoding,
        **_options(sniffed),
    ).select(wanted)
    return plan, lines


def read(
    path: Path, sniffed: Sniff, dtypes: dict[str, pl.DataType], flags: list[str]
) -> pl.DataFrame:
    """``scan`` collected, for readers that work on the whole table; lost lines go to ``flags``."""
    plan, lines = scan(path, sniffed, dtypes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # malformed lines are counted below
        frame = plan.collect()
    flags.extend(lost_lines(lines, frame.height))
    return frame


def _positional(
    names: list[str], dtypes: dict[str, pl.DataType]
) -> tuple[dict[str, pl.DataType], list[pl.Expr]]:
    # Positional names, so duplicate or empty vendor headers cannot collide.
    positions = {name: index for index, name in reversed(list(enumerate(names)))}
    missing = [name for name in dtypes if name not in positions]
    if missing:
        raise IngestError(f"The file has no {', '.join(missing)} column.")
    schema: dict[str, pl.DataType] = {f"c{index}": pl.String() for index in range(len(names))}
    for name, dtype in dtypes.items():
        schema[f"c{positions[name]}"] = dtype
    return schema, [pl.col(f"c{positions[name]}").alias(name) for name in dtypes]


def _lines_and_encoding(path: Path, skip: int) -> tuple[int, str]:
    """Count the data lines and pick the encoding: strict UTF-8 parses markedly faster; vendor
    text with stray bytes (Maccor, Neware in GBK) is read lossily.

    The newlines are counted by numpy (no GIL), the two halves of the file in two threads.
    """
    with open(path, "rb") as handle:
        for _ in range(skip):
            handle.readline()
        start = handle.tell()
        size = os.fstat(handle.fileno()).st_size
        handle.seek(size - 1 if size > start else start)
        last = handle.read(1) or b"\n"
    middle = start + (size - start) // 2
    halves: list[tuple[int, bool]] = [(0, True), (0, True)]
    threads = [
        threading.Thread(target=_count_part, args=(path, begin, end, halves, index))
        for index, (begin, end) in enumerate(((start, middle), (middle, size)))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = sum(count for count, _ascii in halves)
    valid = all(ascii for _count, ascii in halves) or _valid_utf8(path, start)
    return lines + (last != b"\n"), "utf8" if valid else "utf8-lossy"


def _count_part(path: Path, begin: int, end: int, out: list[tuple[int, bool]], index: int) -> None:
    """Newlines in bytes ``begin`` to ``end`` of the file, and whether they are all ASCII."""
    buffer = bytearray(min(BLOCK_BYTES, max(end - begin, 1)))
    view = memoryview(buffer)
    lines, ascii = 0, True
    with open(path, "rb", buffering=0) as handle:
        handle.seek(begin)
        position = begin
        while position < end:
            size = handle.readinto(view[: min(len(buffer), end - position)])
            if not size:
                break
            data = np.frombuffer(buffer, dtype=np.uint8, count=size)
            lines += int(np.count_nonzero(data == 10))
            ascii = ascii and int(data.max()) < 128
            position += size
    view.release()
    out[index] = (lines, ascii)


def _valid_utf8(path: Path, start: int) -> bool:
    """Whether the bytes from ``start`` decode as UTF-8, checked a block at a time."""
    carry = b""  # an incomplete UTF-8 sequence cut by the block edge
    with open(path, "rb") as handle:
        handle.seek(start)
        while block := handle.read(BLOCK_BYTES):
            if carry == b"" and block.isascii():
                continue
            text = carry + block
            cut = text.rfind(b"\n") + 1 or len(text)
            if not _decodes(text[:cut]):
                return False
            carry = text[cut:]
    return not carry or _decodes(carry)


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_stream(
    handle: BinaryIO, delimiter: str, dtypes: dict[str, pl.DataType], flags: list[str]
) -> pl.DataFrame:
    """Like ``read``, for a stream (a pipe from a converter) whose first line is the header."""
    first = handle.readline()
    options = _options(Sniff("stream", delimiter=delimiter))
    names = pl.scan_csv(first, has_header=True, encoding="utf8-lossy", **options)
    return _read_blocks(handle, names.collect_schema().names(), dtypes, options, flags)


def _read_blocks(
    handle: BinaryIO,
    names: list[str],
    dtypes: dict[str, pl.DataType],
    options: dict,
    flags: list[str],
) -> pl.DataFrame:
    schema, wanted = _positional(names, dtypes)
    blocks = []
    buffer = bytearray(BLOCK_BYTES)
    view = memoryview(buffer)
    kept = lines = 0
    while True:
        size = handle.readinto(view[kept:]) or 0
        end = kept + size
        if end == 0:
            break
        cut = end if size == 0 else buffer.rfind(b"\n", 0, end) + 1
        if cut == 0:  # one line longer than the buffer: grow it
            buffer.extend(bytes(len(buffer)))
            view.release()
            view, kept = memoryview(buffer), end
            continue
        block = bytes(view[:cut])
        lines += block.count(b"\n") + (not block.endswith(b"\n"))
        blocks.append(_parse(block, schema, wanted, options))
        buffer[: end - cut] = buffer[cut:end]
        kept = end - cut
        if size == 0:
            break
    view.release()
    if not blocks:
        return pl.DataFrame(schema=dtypes)
    frame = pl.concat(blocks, how="vertical", rechunk=False)
    flags.extend(lost_lines(lines, frame.height))
    return frame


def _parse(block: bytes, schema: dict, wanted: list[pl.Expr], options: dict) -> pl.DataFrame:
    # Strict UTF-8 parses markedly faster; vendor text with stray bytes (Maccor, Neware in GBK)
    # is retried with invalid bytes replaced.
    for encoding in ("utf8", "utf8-lossy"):
        frame = pl.scan_csv(
            block,
            has_header=False,
            schema=schema,
            extra_columns="ignore",
            missing_columns="insert",
            encoding=encoding,
            **options,
        )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # malformed lines are counted by the caller
                return frame.select(wanted).collect()
        except pl.exceptions.ComputeError:
            if encoding == "utf8-lossy":
                raise
    raise AssertionError("unreachable")


def scan_scaled(path: Path, sniffed: Sniff, found: dict[str, Column]) -> tuple[pl.LazyFrame, int]:
    """Scan the located columns as floats, renamed to canonical names, with unit scales."""
    dtypes: dict[str, pl.DataType] = {column.name: pl.Float64() for column in found.values()}
    plan, lines = scan(path, sniffed, dtypes)
    return plan.select(
        (pl.col(column.name) * column.scale if column.scale != 1.0 else pl.col(column.name)).alias(
            canonical
        )
        for canonical, column in found.items()
    ), lines


def read_located(
    path: Path, sniffed: Sniff, fields: dict[str, tuple[tuple[str, ...], str]], **table: Any
) -> RawTable:
    """A CSV whose columns ``fields`` can locate by name, as a lazy plan; ``table`` describes
    its counters."""
    found = locate(header(path, sniffed), fields)
    plan, lines = scan_scaled(path, sniffed, found)
    return RawTable(plan, expected_rows=lines, **table)
