"""What the API, the OpenAPI document and the summary CSV show: the declared fields plus links.

Each schema inherits its record's declared fields (``DatasetFields``, ``DatasetFileFields``,
``CycleSummaryFields``), so a new field shows in the API, the CSV and the OpenAPI document
without an edit here; nothing internal (stored names, who uploaded) can leak because only these
classes are ever serialised.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal.datasets.ingest.canonical import CycleSummaryFields
from portal.datasets.models import DatasetFields, DatasetFileFields

_URI = {"json_schema_extra": {"format": "uri"}}


class DatasetLinks(SQLModel):
    """What every API view of a dataset adds to its declared fields."""

    technology_slug: str | None = Field(
        default=None, description="The public technology this data backs"
    )
    updated_at: datetime
    url: str = Field(description="The dataset's web page", schema_extra=_URI)
    api_url: str = Field(schema_extra=_URI)


class DatasetPublic(DatasetLinks, DatasetFields):
    """A dataset, in lists and on its own."""


class DatasetFilePublic(DatasetFileFields):
    """One file of a dataset, with where to read its cycles and download it."""

    id: int
    cycles_url: str = Field(schema_extra=_URI)
    downloads: dict[str, str] = Field(
        description=(
            "Attachment URLs: original, csv and parquet (normalised table), summary_csv, "
            "bdf (Battery Data Format CSV) and bdf_metadata (its metadata sidecar)"
        )
    )


class CycleSummaryPublic(CycleSummaryFields):
    """One cycle of one file."""


LINKS = frozenset(DatasetLinks.model_fields)
# The per-cycle CSV download has exactly the API's columns, in the same order.
SUMMARY_CSV_COLUMNS = tuple(CycleSummaryPublic.model_fields)
