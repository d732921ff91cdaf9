"""Read the needed columns of a delimited cycler export with polars, without a row loop."""

import warnings
from pathlib import Path
from typing import Any, BinaryIO

import polars as pl

from .columns import Column, locate
from .errors import IngestError
from .header import Sniff
from .normalise import RawTable

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


def read(
    path: Path, sniffed: Sniff, dtypes: dict[str, pl.DataType], flags: list[str]
) -> pl.DataFrame:
    """Read only the columns in ``dtypes`` with those types; bad numeric cells become null.

    Lines that did not come out as rows (a stray quote joins lines together) are counted
    into ``flags``.
    """
    names = header(path, sniffed)
    with open(path, "rb") as handle:
        for _ in range(sniffed.header_line + 1):
            handle.readline()
        return _read_blocks(handle, names, dtypes, _options(sniffed), flags)


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
    # Positional names, so duplicate or empty vendor headers cannot collide.
    positions = {name: index for index, name in reversed(list(enumerate(names)))}
    missing = [name for name in dtypes if name not in positions]
    if missing:
        raise IngestError(f"The file has no {', '.join(missing)} column.")
    schema = {f"c{index}": pl.String() for index in range(len(names))}
    for name, dtype in dtypes.items():
        schema[f"c{positions[name]}"] = dtype
    wanted = [pl.col(f"c{positions[name]}").alias(name) for name in dtypes]
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
    if frame.height < lines:
        flags.append(
            f"{lines - frame.height} lines could not be read as rows (unbalanced quotes?)."
        )
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


def read_scaled(
    path: Path, sniffed: Sniff, found: dict[str, Column], flags: list[str]
) -> pl.DataFrame:
    """Read the located columns as floats, rename them to canonical names and apply unit scales."""
    dtypes: dict[str, pl.DataType] = {column.name: pl.Float64() for column in found.values()}
    frame = read(path, sniffed, dtypes, flags)
    return frame.select(
        (pl.col(column.name) * column.scale if column.scale != 1.0 else pl.col(column.name)).alias(
            canonical
        )
        for canonical, column in found.items()
    )


def read_located(
    path: Path, sniffed: Sniff, fields: dict[str, tuple[tuple[str, ...], str]], **table: Any
) -> RawTable:
    """Read a CSV whose columns ``fields`` can locate by name; ``table`` describes its counters."""
    found = locate(header(path, sniffed), fields)
    flags: list[str] = []
    return RawTable(read_scaled(path, sniffed, found, flags), flags=flags, **table)
