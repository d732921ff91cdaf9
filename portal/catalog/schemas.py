"""What the API and the CSV export show of a technology: the declared fields plus its links.

The schemas inherit the model's declared fields (``TechnologyCard``, ``TechnologyFields``), so
a new field shows in the API, the CSV and the OpenAPI document without an edit here; nothing
internal (flags, versions) can leak because only these classes are ever serialised.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal.catalog.models import Application, Technology, TechnologyCard, TechnologyFields


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


class TechnologyDetail(TechnologyLinks, TechnologyFields):
    """One technology with its long texts."""

    # Named for what it holds since API v1; the model calls it description.
    description: str = Field(
        default="",
        serialization_alias="description_markdown",
        description="Markdown (raw HTML not allowed)",
    )


ADDRESSES = frozenset({"url", "api_url"})
CSV_COLUMNS = tuple(TechnologyPublic.model_fields)


def to_public(technology: Technology, url: str, api_url: str, *, detail: bool = False) -> dict:
    """A technology as the API's JSON (the detail form adds the long texts)."""
    schema = TechnologyDetail if detail else TechnologyPublic
    values = {name: getattr(technology, name) for name in schema.model_fields.keys() - ADDRESSES}
    values.update(url=url, api_url=api_url)
    return schema.model_validate(values).model_dump(mode="json", by_alias=True)
