"""Claims checked against data: a technology's key figure linked to a dataset measure (cycles to
80 %, retention after N cycles, coulombic efficiency, capacity), and the verdict the technology
page and the staff dashboard show. The measures are pure functions of the per-cycle summaries.

Every figure here is "higher is better": a claim is supported when the data reaches at least
the claimed value less the tolerance, contradicted when it falls short, and unproven when the
data cannot say (no ingested file, or the test ended before the claimed cycle count).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlmodel import Session, select

from portal.catalog.models import Technology
from portal.changes import add_audited, delete_audited
from portal.datasets.models import CycleSummary, Dataset, DatasetFile, TechnologyClaim
from portal.db import taken
from portal.errors import ServiceError
from portal.vocabulary import ClaimFigure, FileStatus

F = ClaimFigure
SUPPORTED, CONTRADICTED, UNPROVEN = "supported", "contradicted", "unproven"
FORMATION_CYCLES = 1  # the first cycle forms the SEI: left out of the efficiency mean
CAPACITY_CYCLES = 3  # capacity is read over the first few cycles


@dataclass(frozen=True)
class CycleRow:
    file_id: int
    cycle: int
    retention: float | None
    efficiency: float | None
    discharge_ah: float | None


@dataclass(frozen=True)
class Measure:
    value: float | None  # what the data says (cycles, percent or Ah); None: it cannot say
    at_least: bool = False  # the value is a lower bound (the test ended first)


def _by_file(rows: Iterable[CycleRow]) -> dict[int, list[CycleRow]]:
    files: dict[int, list[CycleRow]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.file_id, r.cycle)):
        files[row.file_id].append(row)
    return files


@dataclass(frozen=True)
class FileLife:
    cycles_to_80_soh: int | None  # the ingest's end-of-life cycle (DatasetFile), None: not reached
    cycle_count: int | None


def cycles_to_80(files: Iterable[FileLife]) -> Measure:
    """The best file's end-of-life cycle (first below 80 % of its reference capacity, as the
    ingest computed it), or its cycle count as a lower bound when it never fell that far."""
    best: Measure = Measure(None)
    for life in files:
        if life.cycles_to_80_soh is not None:
            candidate = Measure(float(life.cycles_to_80_soh), False)
        elif life.cycle_count:
            candidate = Measure(float(life.cycle_count), True)
        else:
            continue
        if (
            best.value is None
            or candidate.value > best.value
            or (candidate.value == best.value and not candidate.at_least)
        ):
            best = candidate
    return best


def retention_after(rows: Iterable[CycleRow], after_cycles: int) -> Measure:
    """The best file's capacity retention (percent) at cycle `after_cycles`."""
    values = [
        r.retention * 100 for r in rows if r.cycle == after_cycles and r.retention is not None
    ]
    return Measure(round(max(values), 2) if values else None)


def coulombic_efficiency(rows: Iterable[CycleRow]) -> Measure:
    """The mean coulombic efficiency (percent) over every cycle after formation."""
    values = [r.efficiency for r in rows if r.cycle > FORMATION_CYCLES and r.efficiency]
    return Measure(round(sum(values) / len(values) * 100, 2) if values else None)


def capacity(rows: Iterable[CycleRow]) -> Measure:
    """The mean over files of the highest discharge capacity (Ah) in the first cycles."""
    peaks = [
        max(r.discharge_ah for r in cycles if r.discharge_ah is not None)
        for cycles in _by_file(rows).values()
        if any(r.discharge_ah is not None and r.cycle <= CAPACITY_CYCLES for r in cycles)
    ]
    return Measure(round(sum(peaks) / len(peaks), 3) if peaks else None)


def claimed_value(claim: TechnologyClaim, technology: Technology) -> float | None:
    """The figure the technology claims: its own key figure where it has one."""
    if claim.figure == F.CYCLES_TO_80:
        return float(technology.cycle_life) if technology.cycle_life is not None else None
    if claim.figure == F.CAPACITY:
        return technology.capacity_ah
    return claim.claimed_value


def measure(claim: TechnologyClaim, rows: list[CycleRow], files: list[FileLife]) -> Measure:
    """What the dataset's summaries say about the claim's figure."""
    if claim.figure == F.CYCLES_TO_80:
        return cycles_to_80(files)
    if claim.figure == F.RETENTION_AFTER:
        return retention_after(rows, claim.after_cycles or 0)
    if claim.figure == F.COULOMBIC_EFFICIENCY:
        return coulombic_efficiency(rows)
    return capacity(rows)


def verdict(claimed: float | None, measured: Measure, tolerance_pct: float) -> str:
    """Supported, contradicted or unproven (higher is better; a lower bound proves only upwards)."""
    if claimed is None or measured.value is None:
        return UNPROVEN
    if measured.value >= claimed * (1 - tolerance_pct / 100):
        return SUPPORTED
    return UNPROVEN if measured.at_least else CONTRADICTED


@dataclass(frozen=True)
class ClaimCheck:
    claim: TechnologyClaim
    dataset: Dataset
    technology: Technology
    claimed: float | None
    measured: Measure
    verdict: str

    @property
    def figure_label(self) -> str:
        return ClaimFigure.label_of(self.claim.figure)


def _lives(db: Session, dataset_ids: list[int]) -> dict[int, list[FileLife]]:
    found = db.exec(
        select(DatasetFile.dataset_id, DatasetFile.cycles_to_80_soh, DatasetFile.cycle_count).where(
            DatasetFile.dataset_id.in_(dataset_ids), DatasetFile.status == FileStatus.INGESTED
        )
    ).all()
    lives: dict[int, list[FileLife]] = defaultdict(list)
    for dataset_id, end_of_life, count in found:
        lives[dataset_id].append(FileLife(end_of_life, count))
    return lives


def _rows(db: Session, dataset_ids: list[int]) -> dict[int, list[CycleRow]]:
    if not dataset_ids:
        return {}
    found = db.exec(
        select(
            DatasetFile.dataset_id,
            CycleSummary.dataset_file_id,
            CycleSummary.cycle_index,
            CycleSummary.capacity_retention,
            CycleSummary.coulombic_efficiency,
            CycleSummary.discharge_capacity_ah,
        )
        .join(DatasetFile, DatasetFile.id == CycleSummary.dataset_file_id)
        .where(DatasetFile.dataset_id.in_(dataset_ids), DatasetFile.status == FileStatus.INGESTED)
    ).all()
    rows: dict[int, list[CycleRow]] = defaultdict(list)
    for dataset_id, file_id, cycle, retention, efficiency, discharge in found:
        rows[dataset_id].append(CycleRow(file_id, cycle, retention, efficiency, discharge))
    return rows


def check_claims(db: Session, technology_ids: list[int] | None = None) -> list[ClaimCheck]:
    """Every claim (of these technologies, or all) with its verdict (three or four queries)."""
    query = (
        select(TechnologyClaim, Dataset, Technology)
        .join(Dataset, Dataset.id == TechnologyClaim.dataset_id)
        .join(Technology, Technology.id == TechnologyClaim.technology_id)
        .order_by(TechnologyClaim.technology_id, TechnologyClaim.id)
    )
    if technology_ids is not None:
        query = query.where(TechnologyClaim.technology_id.in_(technology_ids))
    links = db.exec(query).all()
    dataset_ids = sorted({d.id for _c, d, _t in links})
    rows = _rows(db, dataset_ids)
    lives = _lives(db, dataset_ids) if dataset_ids else {}
    checks = []
    for claim, dataset, technology in links:
        claimed = claimed_value(claim, technology)
        measured = measure(claim, rows.get(dataset.id, []), lives.get(dataset.id, []))
        checks.append(
            ClaimCheck(
                claim,
                dataset,
                technology,
                claimed,
                measured,
                verdict(claimed, measured, claim.tolerance_pct),
            )
        )
    return checks


def contradicted_claims(db: Session) -> list[ClaimCheck]:
    """The staff dashboard's alert: claims the linked data contradicts."""
    return [check for check in check_claims(db) if check.verdict == CONTRADICTED]


# --- writes (flush, never commit) ----------------------------------------------------------------


def link_claim(
    db: Session,
    technology: Technology,
    *,
    figure: str,
    dataset_id: int | None,
    claimed_value: float | None = None,
    after_cycles: int | None = None,
    tolerance_pct: float | None = None,
) -> TechnologyClaim:
    """Link one of the technology's key figures to a dataset measure; audited."""
    if figure not in ClaimFigure.values():
        raise ServiceError(_("Choose the figure to check."))
    dataset = db.get(Dataset, dataset_id) if dataset_id else None
    if dataset is None:
        raise ServiceError(_("Choose the dataset that holds the test data."))
    if figure == F.CYCLES_TO_80 and technology.cycle_life is None:
        raise ServiceError(_("Give the technology a cycle life first; that is the claim checked."))
    if figure == F.CAPACITY and technology.capacity_ah is None:
        raise ServiceError(_("Give the technology a capacity first; that is the claim checked."))
    if figure in (F.RETENTION_AFTER, F.COULOMBIC_EFFICIENCY) and not (
        claimed_value is not None and 0 < claimed_value <= 100
    ):
        raise ServiceError(_("Give the claimed percentage (between 0 and 100)."))
    if figure == F.RETENTION_AFTER and not (after_cycles and 0 < after_cycles <= 1_000_000):
        raise ServiceError(_("Say after how many cycles the retention is claimed."))
    tolerance = 5.0 if tolerance_pct is None else tolerance_pct
    if not 0 <= tolerance <= 50:
        raise ServiceError(_("The tolerance must lie between 0 and 50 %."))
    if taken(
        db, TechnologyClaim, technology_id=technology.id, figure=figure, dataset_id=dataset.id
    ):
        raise ServiceError(_("This figure is already linked to that dataset."))
    claim = TechnologyClaim(
        technology_id=technology.id,
        dataset_id=dataset.id,
        figure=figure,
        claimed_value=claimed_value
        if figure in (F.RETENTION_AFTER, F.COULOMBIC_EFFICIENCY)
        else None,
        after_cycles=after_cycles if figure == F.RETENTION_AFTER else None,
        tolerance_pct=tolerance,
    )
    return add_audited(
        db,
        claim,
        "technology.claim_linked",
        on=technology,
        changes=lambda claim: {"claim_id": claim.id, "figure": figure, "dataset": dataset.slug},
    )


def unlink_claim(db: Session, claim: TechnologyClaim) -> None:
    """Remove a claim's link to its dataset; audited."""
    technology = db.get(Technology, claim.technology_id)
    delete_audited(
        db,
        claim,
        "technology.claim_unlinked",
        on=technology,
        changes={"claim_id": claim.id, "figure": claim.figure, "dataset_id": claim.dataset_id},
    )


def describe(check: ClaimCheck) -> dict[str, Any]:
    """The words the page shows for one check (the data's value only where the viewer may see it)."""
    value = check.measured.value
    if check.claim.figure == F.CYCLES_TO_80:
        says = (
            (
                _("stays above 80 %% for all %(n)s cycles tested", n=int(value))
                if check.measured.at_least
                else _("reaches 80 %% capacity at cycle %(n)s", n=int(value))
            )
            if value is not None
            else ""
        )
    elif check.claim.figure == F.RETENTION_AFTER:
        says = (
            _("keeps %(v)s %% after %(n)s cycles", v=value, n=check.claim.after_cycles)
            if value is not None
            else ""
        )
    elif check.claim.figure == F.COULOMBIC_EFFICIENCY:
        says = _("averages %(v)s %% coulombic efficiency", v=value) if value is not None else ""
    else:
        says = _("delivers %(v)s Ah", v=value) if value is not None else ""
    return {"says": says}
