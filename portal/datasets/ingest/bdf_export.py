"""Write a canonical table as Battery Data Format: a CSV whose header is BDF's preferred labels
(units fixed by the spec) and the metadata sidecar that describes its columns."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from .bdf import COLUMNS, SPEC_URL, BdfColumn

BATCH_ROWS = 64 * 1024
# Columns a BDF file must have; the others are written when the table holds any value.
REQUIRED = frozenset({"test_time_s", "voltage_v", "current_a"})


def present_columns(parquet_path: Path | str) -> list[BdfColumn]:
    """The BDF columns this stored table can fill (optional ones only when not all empty)."""
    frame = pl.scan_parquet(parquet_path)
    names = frame.collect_schema().names()
    counts = (
        frame.select(
            pl.col(c.canonical).is_not_null().sum() for c in COLUMNS if c.canonical in names
        )
        .collect()
        .row(0, named=True)
    )
    return [
        c
        for c in COLUMNS
        if c.canonical in counts and (c.canonical in REQUIRED or counts[c.canonical] > 0)
    ]


def bdf_csv(parquet_path: Path | str) -> Iterator[bytes]:
    """The table as BDF CSV, streamed a batch of rows at a time (header first)."""
    columns = present_columns(parquet_path)
    frame = pl.scan_parquet(parquet_path).select(
        pl.col(c.canonical).alias(c.label) for c in columns
    )
    height = frame.select(pl.len()).collect().item()
    yield (",".join(c.label for c in columns) + "\n").encode()
    for start in range(0, height, BATCH_ROWS):
        batch = frame.slice(start, BATCH_ROWS).collect()
        yield batch.write_csv(include_header=False).encode()


def bdf_metadata(parquet_path: Path | str, dataset: dict[str, Any]) -> dict[str, Any]:
    """The ``.bdf.metadata.json`` sidecar: the dataset and each column's BDF term and unit."""
    described = {key: value for key, value in dataset.items() if value not in (None, "")}
    return {
        "battinfo_dataset": {
            "dataset": {
                **described,
                "conforms_to": SPEC_URL,
                "variable_measured": [
                    {"name": c.label.rsplit(" / ", 1)[0], "unit_text": c.unit, "same_as": c.iri}
                    for c in present_columns(parquet_path)
                ],
            }
        }
    }
