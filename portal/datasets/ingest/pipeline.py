"""Ingest one cycler file: detect, read, normalise, write Parquet, summarise."""

import contextlib
import logging
import os
import shutil
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .canonical import CHARGE_CAPACITY, CYCLE, DISCHARGE_CAPACITY
from .conventions import FULL_CELL, Convention
from .detect import sniff
from .downsample import CURVE_COLUMNS, cycle_curves, evenly, representative_cycles
from .errors import IngestError, is_rust_panic
from .folds import Folds
from .formats import format_named
from .normalise import RawTable
from .parquet_sink import ParquetSink
from .running import Decisions, Normaliser, Respeculate, assumed, counted, present_columns
from .summarise import SohStatus, cycle_table, merged_cycle_table, summarise_table

log = logging.getLogger(__name__)

PREVIEW_CYCLES = 5
BATCH_ROWS = 1 << 18  # rows normalised at a time (4 row groups of the canonical table)
PROGRESS_SECONDS = 1.0  # at most one progress report a second while streaming

# progress(fraction done, rows read so far or None): called between stages and, at most
# every PROGRESS_SECONDS, while the file is read.
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
        if raw.prepare is not None:
            if isinstance(raw.frame, pl.LazyFrame):
                # Steps that query the data first (which time format, which columns) read a
                # scratch Parquet of the parsed columns, not the text again.
                scratch.mkdir()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # malformed lines are counted later
                    raw.frame.sink_parquet(
                        scratch / "raw.parquet", compression="lz4", engine="streaming"
                    )
                raw.frame = pl.scan_parquet(scratch / "raw.parquet")
            raw.frame, raw.prepare = raw.prepare(raw.frame.lazy()), None
        result = _canonical(fmt, raw, partial, max_plot_points, convention, progress)
        _remove_tree(scratch)
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
    except BaseException as exc:
        # Vendor files fail in endless ways (truncation, garbage, odd encodings): the uploader
        # gets one clear sentence, the log keeps the detail. A Rust reader may panic on a file
        # (polars does on a CSV cut inside a quoted last cell); Ctrl-C and exits go on up.
        if not isinstance(exc, Exception) and not is_rust_panic(exc):
            raise
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
    max_plot_points: int,
    convention: Convention,
    progress: Progress,
) -> IngestResult:
    """Normalise ``raw`` into the Parquet at ``partial`` in one pass, and summarise it.

    The pass assumes what the header suggests (every counter column holds numbers, the first
    row has a cycle number) and checks it; when that was wrong, or the cycles must be derived,
    the facts are counted first and the pass runs again with them.
    """
    metadata = dict(raw.metadata)
    present = present_columns(raw.frame)
    decisions = assumed(present)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # malformed lines are counted by the normaliser
        try:
            if decisions is None:
                raise Respeculate
            flags, folds = _one_pass(raw, present, decisions, partial, convention, progress)
        except Respeculate:
            decisions = counted(raw.frame.lazy(), present)
            flags, folds = _one_pass(raw, present, decisions, partial, convention, progress)
    raw.frame = pl.DataFrame()
    flags.extend(folds.quality_flags())
    progress(0.8, folds.height)
    result = _result(fmt, pl.scan_parquet(partial), folds, flags, max_plot_points, metadata)
    progress(0.95, result.row_count)
    return result


def _one_pass(
    raw: RawTable,
    present: set[str],
    decisions: Decisions,
    partial: Path,
    convention: Convention,
    progress: Progress,
) -> tuple[list[str], Folds]:
    """Read, normalise, write and fold every batch; the flags found and the folds."""
    normaliser = Normaliser(raw, present, decisions)
    folds = Folds(convention)
    sink = ParquetSink(partial)
    expected = raw.expected_rows or (raw.frame.height if isinstance(raw.frame, pl.DataFrame) else 0)
    reported = time.monotonic()
    try:
        for batch in _batches(raw.frame):
            canonical = normaliser.push(batch)
            sink.write(canonical)
            folds.push(canonical)
            if time.monotonic() - reported > PROGRESS_SECONDS:
                reported = time.monotonic()
                done = min(normaliser.rows / expected, 1.0) if expected else 0.0
                progress(0.05 + 0.7 * done, normaliser.rows)
        flags = normaliser.finish()
        folds.finish()
    except BaseException:
        sink.close_quietly()
        _remove(partial)
        raise
    sink.close()
    return flags, folds


def _batches(frame: pl.DataFrame | pl.LazyFrame) -> Iterator[pl.DataFrame]:
    """The table in order, BATCH_ROWS rows at a time (a lazy plan runs streaming)."""
    if isinstance(frame, pl.DataFrame):
        yield from frame.iter_slices(BATCH_ROWS)
    else:
        yield from frame.collect_batches(chunk_size=BATCH_ROWS)


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


def _result(
    fmt: str,
    frame: pl.LazyFrame,
    folds: Folds,
    flags: list[str],
    max_plot_points: int,
    metadata: dict,
) -> IngestResult:
    convention = folds.convention
    if folds.descending:  # rare: the per-cycle sums are taken from the written table
        table = cycle_table(frame, convention)
    else:
        table = merged_cycle_table(folds.partials, convention)
    summary = summarise_table(table, convention)
    warnings = [w.as_dict() for w in folds.warnings(frame, summary.cycles)]
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
        row_count=folds.height,
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
