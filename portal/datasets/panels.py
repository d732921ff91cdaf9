"""The datasets' panels on other domains' pages (technology page, partner dashboard, milestone
page). Registered as template globals in portal/templating.py; each reads the database once per
panel, never per row.
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from portal import db
from portal.datasets import claims, queries
from portal.datasets.access import can_see
from portal.datasets.evidence import check_dataset, parse_criterion
from portal.datasets.models import Dataset
from portal.dates import local_today


def public_datasets_for(technology: Any, limit: int = 10) -> list[Dataset]:
    """Public datasets behind a technology (the technology page's "Test data")."""
    if technology is None or getattr(technology, "id", None) is None:
        return []
    return queries.public_datasets_of(db.session(), technology.id, limit)


def datasets_shared_with_me(limit: int = 20) -> list[Dataset]:
    """Non-public datasets the signed-in partner may open (the dashboard's "Shared with you")."""
    if not (current_user.is_authenticated and current_user.is_partner):
        return []
    return queries.shared_with(db.session(), current_user, local_today(), limit)


def datasets_for_evidence(limit: int = 100) -> list[Dataset]:
    """Datasets the signed-in user may point to as milestone evidence."""
    if not current_user.is_authenticated:
        return []
    return queries.visible_datasets(db.session(), current_user, local_today(), limit)


def evidence_dataset_check(evidence: Any, milestone: Any) -> dict | None:
    """The dataset an evidence points to and the milestone's cycle criterion checked on it.

    Loaded through the visibility rule: once the viewer's access ends (a grant revoked or
    lapsed, the agreement over) the answer is only ``{"hidden": True}``, so the dataset's
    title, file names and cycle figures stay off the page. Staff see every dataset.
    """
    dataset_id = getattr(evidence, "dataset_id", None)
    if not dataset_id:
        return None
    dataset = db.session().get(Dataset, dataset_id)
    if dataset is None:
        return None
    if not can_see(current_user, dataset.id, local_today()):
        return {"hidden": True}
    criterion = parse_criterion(f"{milestone.title}\n{milestone.description}")
    checks = check_dataset(dataset.id, criterion) if criterion else []
    return {
        "dataset": dataset,
        "criterion": criterion,
        "checks": checks,
        "met": bool(checks) and all(c.met for c in checks),
    }


def claim_checks_for(technology: Any) -> list[dict]:
    """Reads the database: the technology's key figures checked against their linked datasets.

    The data's own figure is shown only to viewers who may open the dataset; everyone else
    reads the verdict alone, so a restricted dataset's numbers never reach a public page.
    """
    if technology is None or getattr(technology, "id", None) is None:
        return []
    checks = claims.check_claims(db.session(), [technology.id])
    today = local_today()
    return [
        {
            "check": check,
            "words": claims.describe(check),
            "show_numbers": can_see(current_user, check.dataset.id, today),
        }
        for check in checks
    ]


def contradicted_claims() -> list[dict]:
    """Reads the database: claims the linked data contradicts (the staff dashboard's alert)."""
    return [
        {"check": check, "words": claims.describe(check), "show_numbers": True}
        for check in claims.contradicted_claims(db.session())
    ]
