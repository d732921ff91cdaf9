"""Demo technologies of the CoE across the three chemistries, materials, machines and services,
plus a few inquiries in different states (the records themselves are data: data/catalog.toml)."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from portal.catalog import services as catalog
from portal.catalog.models import Inquiry, Technology
from portal.db import utcnow
from portal.patents import services as patent_service

DATA = Path(__file__).with_name("data") / "catalog.toml"


def load() -> dict:
    """The demo catalog as written in data/catalog.toml."""
    with DATA.open("rb") as handle:
        return tomllib.load(handle)


def seed(db: Session) -> list[str]:
    """Create the demo technologies and inquiries that are not there yet."""
    data = load()
    created = 0
    now = utcnow()
    for index, spec in enumerate(data["technology"]):
        if db.exec(select(Technology.id).where(Technology.slug == spec["slug"])).first():
            continue
        fields = {key: value for key, value in spec.items() if key not in ("published", "patents")}
        technology = catalog.create_technology(
            db,
            **data["contact"],
            is_published=spec.get("published", True),
            is_demo=True,
            **fields,
        )
        for patent in spec.get("patents", ()):
            patent_service.add_patent(db, technology, patent)
        if technology.published_at:
            # Spread the listing dates so "newest" means something in the demo.
            technology.published_at = now - timedelta(days=7 * index)
            db.add(technology)
        created += 1
    inquiries = 0
    for spec in data["inquiry"]:
        if db.exec(select(Inquiry.id).where(Inquiry.email == spec["email"])).first():
            continue
        slug = spec.pop("technology")
        when = now - timedelta(days=spec.pop("days_ago"))
        technology_id = (
            db.exec(select(Technology.id).where(Technology.slug == slug)).first() if slug else None
        )
        db.add(
            Inquiry(
                technology_id=technology_id,
                is_demo=True,
                created_at=when,
                updated_at=when,
                **spec,
            )
        )
        inquiries += 1
    db.flush()
    return [f"catalog: {created} technologies and {inquiries} inquiries added"]
