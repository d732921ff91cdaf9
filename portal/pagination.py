"""One pagination helper for every list page and API list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session

PER_PAGE = 25
MAX_PAGE = 10_000


@dataclass
class Page:
    items: list[Any]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_number(raw: str | None) -> int:
    """A page number from a query parameter; anything odd becomes 1 (never an error)."""
    try:
        number = int(str(raw or "1").strip()[:6])
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def paginate(db: Session, query: Select, raw_page: str | None, per_page: int = PER_PAGE) -> Page:
    """Run `query` for one page plus a count; rows with one entity come back as that entity."""
    number = page_number(raw_page)
    total = db.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    result = db.execute(query.limit(per_page).offset((number - 1) * per_page))
    rows = result.scalars().all() if len(query.column_descriptions) == 1 else result.all()
    return Page(items=list(rows), total=int(total), number=number, per_page=per_page)
