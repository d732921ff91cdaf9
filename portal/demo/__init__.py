"""Demo data for trying the portal out: `portal seed-demo` (safe to run twice, never in production)."""

from __future__ import annotations

from sqlmodel import Session

from portal.demo import accounts, agreements, catalog, datasets, licensing


def seed_demo(db: Session) -> list[str]:
    """Load every domain's demo records in dependency order; returns lines to print."""
    lines: list[str] = []
    for part in (accounts, catalog, agreements, datasets, licensing):
        lines.extend(part.seed(db))
        db.flush()
    return lines
