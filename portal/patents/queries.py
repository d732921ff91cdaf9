"""Reading patents: one technology's, or many technologies' at once (for the CSV export)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlmodel import Session, select

from portal.db import children
from portal.patents.models import Patent


def patents_of(db: Session, technology) -> list[Patent]:
    """A technology's patents, earliest filing first."""
    return children(db, Patent.technology_id, technology.id, Patent.filing_date, Patent.id)


def patents_by_technology(db: Session, technology_ids: Iterable[int]) -> dict[int, list[Patent]]:
    """Patents of many technologies in one query, keyed by technology id."""
    found: dict[int, list[Patent]] = defaultdict(list)
    ids = list(technology_ids)
    if ids:
        statement = (
            select(Patent)
            .where(Patent.technology_id.in_(ids))
            .order_by(Patent.filing_date, Patent.id)
        )
        for patent in db.exec(statement).all():
            found[patent.technology_id].append(patent)
    return found
