"""Demo datasets: three real cycler files (with their attribution) and a large synthetic
sodium-ion cycle-life test, all ingested through the normal upload path."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlmodel import Session, select

from portal.accounts.models import Organization
from portal.agreements.models import Agreement
from portal.catalog.models import Technology
from portal.config import ROOT
from portal.datasets import claims, files, grants, services, synthetic
from portal.datasets.models import Dataset, DatasetFile, DatasetGrant, TechnologyClaim
from portal.vocabulary import ClaimFigure

# The real files live next to the project (../shared/data/cycler); PORTAL_CYCLER_SAMPLES overrides.
SAMPLES = Path(os.environ.get("PORTAL_CYCLER_SAMPLES", ROOT.parent / "shared" / "data" / "cycler"))
SYNTHETIC_SLUG = "sodium-ion-18650-cycle-life-synthetic"

DATASETS = [
    {
        "slug": "landt-li-graphite-coin-cell-25c",
        "file": "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv",
        "title": "Li / graphite R2032 coin cell at 25 °C (Landt)",
        "description": (
            "Formation and cycling of a lithium / graphite half cell in a 2032 coin cell, "
            "recorded on a Landt cycler. A reference file for comparing test set-ups. "
            "In a half cell against lithium, discharge lithiates the graphite, so efficiency "
            "is read in cellpy's anode mode (charge / discharge), and the first cycle is "
            "formation."
        ),
        "chemistry": "li_ion",
        "cell_type": "half_li_anode",
        "formation_cycles": 1,
        "cell_format": "R2032 coin cell (half cell)",
        "test_type": "characterisation",
        "temperature_c": 25.0,
        "visibility": "public",
        "licence_terms": "Data under CC-BY-4.0: credit “SINTEF / Battery Data Alliance”.",
        "attribution": (
            "Real Landt export by **SINTEF / Battery Data Alliance** (data CC-BY-4.0), from "
            "battery-data-alliance/battery-data-format @1412b98, `data/` (Apache-2.0)."
        ),
    },
    {
        "slug": "neware-half-cell-ife",
        "file": "neware_uio.csv",
        "title": "Silicon-graphite half cell, four cycles (Neware)",
        "description": (
            "A Neware BTS record export: capacity and energy counters reset at every step, "
            "times as hh:mm:ss. Rebuilt into cumulative counters at ingest."
        ),
        "chemistry": "li_ion",
        "cell_type": "half_li_anode",
        "cell_format": "Coin cell (half cell)",
        "test_type": "formation",
        "visibility": "partners",
        "licence_terms": "Shared with partner organisations for evaluation of test methods.",
        "attribution": (
            "Real Neware export, data by **IFE, Norway**, from jepegit/cellpy @c5d74b9, "
            "`testdata/data/` (MIT)."
        ),
    },
    {
        "slug": "maccor-coin-cell-two-cycles",
        "file": "maccor_002.txt",
        "title": "Coin cell, two cycles (Maccor)",
        "description": (
            "A Maccor text export: the current is unsigned and its sign comes from the `Md` "
            "column; one capacity column that resets each step."
        ),
        "chemistry": "li_ion",
        "cell_format": "Coin cell, ~2.3 mAh",
        "nominal_capacity_ah": 0.0023,
        "test_type": "cycle_life",
        "visibility": "restricted",
        "licence_terms": "For Watthour under the MoU; not for redistribution.",
        "attribution": "Real Maccor export from jepegit/cellpy @c5d74b9, `testdata/data/` (MIT).",
        "grant_to": "watthour",
    },
]


def seed(db: Session) -> list[str]:
    """Create the demo datasets once (files ingested, summaries stored, grants made)."""
    lines: list[str] = []
    skipped = []
    for spec in DATASETS:
        path = SAMPLES / spec["file"]
        if not path.exists():
            lines.append(f"datasets: skipped {spec['slug']} ({path} not found)")
            skipped.append(spec["file"])
            continue
        dataset = _dataset(db, spec)
        if _has_files(db, dataset):
            continue
        with open(path, "rb") as stream:
            added = files.add_file(db, dataset, stream, spec["file"], max_bytes=None)
        lines.append(f"datasets: {dataset.slug} ← {spec['file']} ({added.cycle_count} cycles)")
        if spec.get("grant_to"):
            lines.extend(_grant_under_mou(db, dataset, spec["grant_to"]))
    if skipped:
        lines.append(MISSING_SAMPLES_HINT.format(files=", ".join(skipped), folder=SAMPLES))
    lines.extend(_synthetic(db))
    return lines


# `make run` prints this line and, while it is there, runs seed-demo again on every start, so the
# real datasets load on the first `make run` after their files appear.
MISSING_SAMPLES_HINT = (
    "datasets: to add the real demo datasets, copy {files} into {folder} (the shared cycler "
    "samples next to the project) or set PORTAL_CYCLER_SAMPLES to their folder; the next "
    "`make run` (or `portal seed-demo`) loads them."
)


def _dataset(db: Session, spec: dict) -> Dataset:
    dataset = db.exec(select(Dataset).where(Dataset.slug == spec["slug"])).first()
    if dataset is not None:
        _update_reading(db, dataset, spec)
        return dataset
    fields = {k: v for k, v in spec.items() if k in services.EDITABLE}
    return services.create_dataset(db, slug=spec["slug"], is_demo=True, **fields)


def _update_reading(db: Session, dataset: Dataset, spec: dict) -> None:
    """A demo seeded before cell types existed gets the spec's cell type (its files re-read)."""
    stale = {
        name: spec[name]
        for name in services.READING_FIELDS
        if name in spec and getattr(dataset, name) != spec[name]
    }
    if dataset.is_demo and stale:
        services.update_dataset(db, dataset, version=dataset.version, **stale)


def _has_files(db: Session, dataset: Dataset) -> bool:
    found = db.exec(select(DatasetFile.id).where(DatasetFile.dataset_id == dataset.id)).first()
    return found is not None


def _grant_under_mou(db: Session, dataset: Dataset, org_slug: str) -> list[str]:
    organization = db.exec(select(Organization).where(Organization.slug == org_slug)).first()
    if organization is None:
        return [f"datasets: no organisation {org_slug!r}; {dataset.slug} stays ungranted"]
    exists = db.exec(
        select(DatasetGrant.id).where(
            DatasetGrant.dataset_id == dataset.id, DatasetGrant.organization_id == organization.id
        )
    ).first()
    if exists is not None:
        return []
    mou = db.exec(
        select(Agreement)
        .where(Agreement.organization_id == organization.id, Agreement.kind == "mou")
        .order_by(Agreement.id)
    ).first()
    grants.grant_access(
        db, dataset, organization_id=organization.id, agreement_id=mou.id if mou else None
    )
    under = f" under {mou.reference}" if mou else ""
    return [f"datasets: {dataset.slug} granted to {organization.name}{under}"]


def _synthetic(db: Session) -> list[str]:
    dataset = db.exec(select(Dataset).where(Dataset.slug == SYNTHETIC_SLUG)).first()
    if dataset is None:
        technology = db.exec(
            select(Technology.id).where(Technology.slug == "sodium-ion-18650-cell")
        ).first()
        dataset = services.create_dataset(
            db,
            slug=SYNTHETIC_SLUG,
            is_demo=True,
            title="Sodium-ion 18650, 1,000-cycle life test at C/2 (synthetic)",
            title_hi="सोडियम-आयन 18650, C/2 पर 1,000 चक्रों का जीवन परीक्षण (सिंथेटिक)",
            description=(
                "A **synthetic** cycle-life test of a 1.2 Ah hard-carbon / layered-oxide sodium-ion "
                "18650 cell between 1.5 V and 4.0 V at C/2 and 25 °C: CC-CV charge, rests and CC "
                "discharge, 1,000 cycles, 290,000 logged points. Generated deterministically by "
                "`portal/datasets/synthetic.py` to show the plots and summaries on a large test."
            ),
            description_hi=(
                "1.2 Ah के हार्ड-कार्बन / परतदार-ऑक्साइड सोडियम-आयन 18650 सेल का **सिंथेटिक** "
                "चक्र-जीवन परीक्षण: 1.5 V से 4.0 V के बीच, C/2 और 25 °C पर; CC-CV चार्ज, विश्राम "
                "और CC डिस्चार्ज, 1,000 चक्र, 2,90,000 दर्ज बिंदु। बड़े परीक्षण पर प्लॉट और "
                "सारांश दिखाने के लिए `portal/datasets/synthetic.py` से हर बार एक जैसा बनाया गया।"
            ),
            technology_id=technology,
            chemistry="na_ion",
            cell_format="18650 cylindrical",
            nominal_capacity_ah=synthetic.NOMINAL_CAPACITY_AH,
            test_type="cycle_life",
            temperature_c=25.0,
            visibility="public",
            licence_terms="Synthetic demonstration data; free to reuse.",
            attribution="Synthetic data generated by the portal (no real cell was tested).",
        )
    if _has_files(db, dataset):
        return []
    with tempfile.TemporaryDirectory() as scratch:
        path = synthetic.write_csv(Path(scratch) / "na_ion_18650_cycle_life.csv")
        with open(path, "rb") as stream:
            added = files.add_file(db, dataset, stream, path.name, max_bytes=None)
    return [
        f"datasets: {dataset.slug} ← synthetic Arbin CSV ({added.cycle_count} cycles)",
        *_claims(db, dataset),
    ]


def _claims(db: Session, dataset: Dataset) -> list[str]:
    """The 18650's cycle life and capacity checked against its synthetic test (both agree)."""
    technology = db.exec(
        select(Technology).where(Technology.slug == "sodium-ion-18650-cell")
    ).first()
    if (
        technology is None
        or db.exec(
            select(TechnologyClaim.id).where(TechnologyClaim.technology_id == technology.id)
        ).first()
    ):
        return []
    for figure in (ClaimFigure.CYCLES_TO_80, ClaimFigure.CAPACITY):
        claims.link_claim(db, technology, figure=figure, dataset_id=dataset.id)
    claims.link_claim(
        db,
        technology,
        figure=ClaimFigure.COULOMBIC_EFFICIENCY,
        dataset_id=dataset.id,
        claimed_value=99.0,
    )
    return [
        f"claims: {technology.slug} cycle life, capacity and efficiency linked to {dataset.slug}"
    ]
