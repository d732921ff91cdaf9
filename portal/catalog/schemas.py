"""What the API and the CSV export show of a technology: the declared fields plus its links.

The schemas inherit the model's declared fields (``TechnologyCard``, ``TechnologyFields``), so
a new field shows in the API, the CSV and the OpenAPI document without an edit here; nothing
internal (flags, versions) can leak because only these classes are ever serialised.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal.catalog.models import Technology, TechnologyCard, TechnologyFields
from portal.patents.models import PatentFields
from portal.vocabulary import Application


class TechnologyLinks(SQLModel):
    """What every public view of a technology adds to its declared fields."""

    applications: list[str] = Field(
        description="Where it is used",
        schema_extra={"json_schema_extra": {"items": {"enum": list(Application.values())}}},
    )
    published_at: datetime | None
    updated_at: datetime
    url: str = Field(description="The technology's web page")
    api_url: str


class TechnologyPublic(TechnologyLinks, TechnologyCard):
    """A technology in a list (API list, CSV export)."""


class PatentPublic(PatentFields):
    """A patent or application as the API shows it."""


class TechnologyDetail(TechnologyLinks, TechnologyFields):
    """One technology with its long texts and its patents."""

    patents: list[PatentPublic] = Field(default_factory=list)

    # Named for what it holds since API v1; the model calls it description.
    description: str = Field(
        default="",
        serialization_alias="description_markdown",
        description="Markdown (raw HTML not allowed)",
    )


ADDRESSES = frozenset({"url", "api_url"})
# The CSV adds the patents as one cell ("IN 202341012345 (granted, IN 412345); ...").
CSV_COLUMNS = (*TechnologyPublic.model_fields, "patents")


def to_public(
    technology: Technology, url: str, api_url: str, *, detail: bool = False, patents=()
) -> dict:
    """A technology as the API's JSON (the detail form adds the long texts and patents)."""
    schema = TechnologyDetail if detail else TechnologyPublic
    names = schema.model_fields.keys() - ADDRESSES - {"patents"}
    values = {name: getattr(technology, name) for name in names}
    values.update(url=url, api_url=api_url)
    if detail:
        values["patents"] = [PatentPublic.model_validate(p, from_attributes=True) for p in patents]
    return schema.model_validate(values).model_dump(mode="json", by_alias=True)
