"""Ingest one cycler file: detect, read, normalise, write Parquet, summarise."""

import contextlib
import logging
import os
import shutil
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .canonical import CHARGE_CAPACITY, CYCLE, DISCHARGE_CAPACITY
from .conventions import FULL_CELL, Convention
from .detect import sniff
from .downsample import CURVE_COLUMNS, cycle_curves, evenly, representative_cycles
from .errors import IngestError
from .formats import format_named
from .normalise import RawTable, normalise_lazy, quality_flags
from .plausibility import check_all
from .summarise import SohStatus, summarise

log = logging.getLogger(__name__)

PREVIEW_CYCLES = 5
ROW_GROUP_ROWS = 64 * 1024  # small enough that a cycle filter skips most of a big file
STREAMING_CHUNK_ROWS = 10_000  # 8 M rows: canonical pass 0.33-0.37 GiB, against 0.67-0.86

# progress(fraction done, rows read so far or None): called between stages; the rows are
# known once the file has been read (streamed to a scratch Parquet, or read whole).
Progress = Callable[[float, int | None], None]


def _no_progress(_fraction: float, _rows: int | None) -> None:
    return None


@dataclass(frozen=True)
class IngestResult:
    """What ingesting one file produced, ready to store next to its Parquet table."""

    format: str  # the name of one of formats.FORMATS
    row_count: int
    cycles: list[dict]  # one row per cycle, keys canonical.SUMMARY_KEYS, fractions not %
    reference_capacity_ah: float | None
    reference_rule: str
    cycles_to_80_soh: int | None  # number of the first cycle under 80 %; None: not reached
    flags: list[str]  # data-quality warnings, in plain sentences
    # Lists aligned by cycle: cycle_index, charge_capacity_ah, discharge_capacity_ah,
    # capacity_retention, coulombic_efficiency (at most max_plot_points cycles).
    capacity_series: dict
    # {"<cycle>": {"capacity_ah": [...], "voltage_v": [...]}} for up to 5 spread-out cycles.
    voltage_preview: dict
    # What the file states about the test, keys from canonical.METADATA_KEYS (may be empty).
    metadata: dict = field(default_factory=dict)
    # Plausibility findings: {"check", "message", "cycles"} (the reader's flags are in flags).
    warnings: list[dict] = field(default_factory=list)
    soh_status: str = SohStatus.NO_REFERENCE  # why cycles_to_80_soh is, or is not, a number
    convention: str = ""  # the efficiency convention used, in one sentence


def ingest_file(
    path: Path | str,
    parquet_out: Path | str,
    *,
    max_plot_points: int = 2000,
    progress: Progress = _no_progress,
    convention: Convention = FULL_CELL,
) -> IngestResult:
    """Ingest a cycler file into the canonical Parquet table at ``parquet_out``; all or nothing.

    ``convention`` says how to read the cycles (cell type, formation cycles, plausible bands).
    """
    path, parquet_out = Path(path), Path(parquet_out)
    max_plot_points = max(int(max_plot_points), 4)
    partial = parquet_out.with_name(f".{parquet_out.name}.{uuid.uuid4().hex}.partial")
    scratch = partial.with_suffix(".work")
    fmt = None
    try:
        sniffed = sniff(path)
        fmt = sniffed.format
        progress(0.05, None)
        parquet_out.parent.mkdir(parents=True, exist_ok=True)
        raw = format_named(fmt).read(path, sniffed)
        if isinstance(raw.frame, pl.LazyFrame):
            # The text is parsed once, streaming, into a scratch table: the later passes
            # (facts, derived cycles, the canonical table) then read Parquet, not CSV.
            scratch.mkdir()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # malformed lines are counted by normalise
                raw.frame.sink_parquet(
                    scratch / "raw.parquet", compression="lz4", engine="streaming"
                )
            raw.frame = pl.scan_parquet(scratch / "raw.parquet")
        if raw.prepare is not None:
            raw.frame, raw.prepare = raw.prepare(raw.frame.lazy()), None
        rows = _rows(raw.frame)
        progress(0.5, rows)
        # Small morsels from here on: running sums, shifts and diffs buffer whole morsels per
        # branch, and at polars' default size that buffering grew with the file.
        with pl.Config(streaming_chunk_size=STREAMING_CHUNK_ROWS):
            result = _canonical(fmt, raw, partial, scratch, max_plot_points, convention, progress)
        os.replace(partial, parquet_out)
        return result
    except IngestError:
        _remove(partial)
        _remove_tree(scratch)
        raise
    except OSError as exc:
        _remove(partial)
        _remove_tree(scratch)
        log.warning("ingest failed on storage", exc_info=True)
        raise IngestError("The file could not be read or its table could not be stored.") from exc
    except Exception as exc:
        # Vendor files fail in endless ways (truncation, garbage, odd encodings): the uploader
        # gets one clear sentence, the log keeps the detail.
        _remove(partial)
        _remove_tree(scratch)
        log.info("ingest of a %s file failed", fmt or "unrecognised", exc_info=True)
        what = f"The file looks like {format_named(fmt).label} but" if fmt else "The file"
        raise IngestError(
            f"{what} could not be read: it may be truncated, corrupted or contain malformed values."
        ) from exc


def _canonical(
    fmt: str,
    raw: RawTable,
    partial: Path,
    scratch: Path,
    max_plot_points: int,
    convention: Convention,
    progress: Progress,
) -> IngestResult:
    """Normalise ``raw`` into the Parquet at ``partial`` and summarise it from there."""
    rows = _rows(raw.frame)
    metadata = dict(raw.metadata)
    plan, flags = normalise_lazy(raw)
    progress(0.6, rows)
    plan.sink_parquet(
        partial,
        compression="snappy",
        statistics=True,
        row_group_size=ROW_GROUP_ROWS,
        engine="streaming",
    )
    _remove_tree(scratch)
    table = pl.scan_parquet(partial)
    flags.extend(quality_flags(table))
    progress(0.8, _rows(table))
    result = _result(fmt, table, flags, max_plot_points, metadata, convention)
    progress(0.95, result.row_count)
    return result


def voltage_curve(
    parquet_path: Path | str, cycles: list[int], max_points: int = 1000
) -> dict[str, dict[str, list[float]]]:
    """Downsampled voltage vs capacity for the chosen cycles, read lazily from the Parquet."""
    wanted = sorted({int(cycle) for cycle in cycles})
    if not wanted:
        return {}
    try:
        frame = pl.scan_parquet(parquet_path).select(CURVE_COLUMNS)
        return cycle_curves(frame, wanted, max_points)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise IngestError("The stored table of this file could not be read.") from exc


def _rows(frame: pl.DataFrame | pl.LazyFrame) -> int:
    """Row count of a table; from the Parquet footer for a scan."""
    return int(frame.lazy().select(pl.len()).collect().item())


def _result(
    fmt: str,
    frame: pl.LazyFrame,
    flags: list[str],
    max_plot_points: int,
    metadata: dict,
    convention: Convention,
) -> IngestResult:
    summary = summarise(frame, convention)
    warnings = [w.as_dict() for w in check_all(frame, summary.cycles, convention)]
    numbers = [row[CYCLE] for row in summary.cycles]
    keep = evenly(len(summary.cycles), max_plot_points)
    series_keys = (
        CYCLE,
        CHARGE_CAPACITY,
        DISCHARGE_CAPACITY,
        "capacity_retention",
        "coulombic_efficiency",
        "formation",
    )
    capacity_series = {key: [summary.cycles[i][key] for i in keep] for key in series_keys}
    preview_points = max(4, max_plot_points // PREVIEW_CYCLES)
    preview = cycle_curves(frame, representative_cycles(numbers, PREVIEW_CYCLES), preview_points)
    return IngestResult(
        format=fmt,
        row_count=_rows(frame),
        cycles=summary.cycles,
        reference_capacity_ah=summary.reference_capacity_ah,
        reference_rule=summary.reference_rule,
        cycles_to_80_soh=summary.cycles_to_80_soh,
        flags=flags,
        capacity_series=capacity_series,
        voltage_preview=preview,
        metadata=metadata,
        warnings=warnings,
        soh_status=summary.soh_status,
        convention=summary.convention,
    )


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
