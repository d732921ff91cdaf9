"""Milestone evidence that points to a dataset: which datasets a partner may offer, and a check of
a cycle-life criterion ("pilot cells reach 500 cycles above 80 % capacity") against the summary.

The criterion is read from the milestone's title and description, so staff see exactly the rule
that was checked next to the numbers when they accept or reject. The milestone page shows it
through portal.datasets.panels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import select

from portal import db
from portal.datasets.models import CycleSummary, DatasetFile
from portal.vocabulary import FileStatus

# "500 cycles above 80 %", "500 cycles at ≥ 80% capacity", "80 % capacity after 500 cycles"
_CYCLES_THEN_PERCENT = re.compile(
    r"(\d[\d,]{0,8})\s*(?:full\s+)?cycles?\D{0,40}?(?:above|over|at|with|≥|>=|>)\s*(\d{1,3}(?:\.\d+)?)\s*%",
    re.IGNORECASE,
)
_PERCENT_THEN_CYCLES = re.compile(
    r"(\d{1,3}(?:\.\d+)?)\s*%\s*(?:of\s+)?(?:capacity|retention|soh)?\D{0,20}?(?:after|at|over)\s*(\d[\d,]{0,8})\s*cycles?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Criterion:
    cycles: int
    retention: float  # a fraction, e.g. 0.8

    @property
    def label(self) -> str:
        return f"{self.cycles} cycles above {self.retention * 100:g} % capacity"


def parse_criterion(text: str | None) -> Criterion | None:
    """Find a cycle-life target in free text; None when there is none."""
    text = (text or "")[:5000]
    match = _CYCLES_THEN_PERCENT.search(text)
    if match:
        cycles, percent = match.group(1), match.group(2)
    else:
        match = _PERCENT_THEN_CYCLES.search(text)
        if not match:
            return None
        percent, cycles = match.group(1), match.group(2)
    cycles_n, percent_f = int(cycles.replace(",", "")), float(percent)
    if not (0 < cycles_n < 10_000_000 and 0 < percent_f <= 100):
        return None
    return Criterion(cycles=cycles_n, retention=percent_f / 100)


@dataclass(frozen=True)
class FileCheck:
    file_id: int
    filename: str
    cycles_above: int  # cycles at or above the threshold before the first one below it
    first_below: int | None
    met: bool


def check_dataset(dataset_id: int, criterion: Criterion) -> list[FileCheck]:
    """Per ingested file: how many cycles kept the capacity above the threshold (two queries)."""
    session = db.session()
    files = session.exec(
        select(DatasetFile.id, DatasetFile.original_filename).where(
            DatasetFile.dataset_id == dataset_id, DatasetFile.status == FileStatus.INGESTED
        )
    ).all()
    if not files:
        return []
    below = dict(
        session.exec(
            select(CycleSummary.dataset_file_id, func.min(CycleSummary.cycle_index))
            .where(
                CycleSummary.dataset_file_id.in_([f.id for f in files]),
                CycleSummary.capacity_retention < criterion.retention,
            )
            .group_by(CycleSummary.dataset_file_id)
        ).all()
    )
    above_rows = session.exec(
        select(CycleSummary.dataset_file_id, CycleSummary.cycle_index).where(
            CycleSummary.dataset_file_id.in_([f.id for f in files]),
            CycleSummary.capacity_retention >= criterion.retention,
        )
    ).all()
    counts: dict[int, int] = {}
    for file_id, cycle_index in above_rows:
        first = below.get(file_id)
        if first is None or cycle_index < first:
            counts[file_id] = counts.get(file_id, 0) + 1
    return [
        FileCheck(
            file_id=f.id,
            filename=f.original_filename,
            cycles_above=counts.get(f.id, 0),
            first_below=below.get(f.id),
            met=counts.get(f.id, 0) >= criterion.cycles,
        )
        for f in files
    ]
