"""What the API shows of a technology: a schema apart from the table, so nothing internal leaks."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from portal.catalog.models import Technology


class TechnologyPublic(BaseModel):
    slug: str
    title: str
    summary: str
    chemistry: str
    category: str
    applications: list[str]
    trl: int
    licensing_status: str
    ip_status: str
    patent_refs: str
    specific_energy_wh_per_kg: float | None
    energy_density_wh_per_l: float | None
    cycle_life: int | None
    max_c_rate: float | None
    nominal_voltage_v: float | None
    capacity_ah: float | None
    cost_inr_per_kwh: int | None
    throughput_units_per_hour: float | None
    indigenous_content_pct: float | None
    published_at: datetime | None
    updated_at: datetime
    url: str
    api_url: str


class TechnologyDetail(TechnologyPublic):
    description_markdown: str
    problem: str
    advantage: str
    applications_text: str
    contact_name: str
    contact_email: str


def to_public(
    technology: Technology, applications: list[str], url: str, api_url: str, *, detail=False
) -> dict:
    """A technology as the API's JSON (the detail form adds the long texts)."""
    computed = {"applications", "url", "api_url"}
    values = {
        name: getattr(technology, name)
        for name in TechnologyPublic.model_fields
        if name not in computed
    }
    values.update(applications=applications, url=url, api_url=api_url)
    if detail:
        values.update(
            description_markdown=technology.description,
            problem=technology.problem,
            advantage=technology.advantage,
            applications_text=technology.applications_text,
            contact_name=technology.contact_name,
            contact_email=technology.contact_email,
        )
        return TechnologyDetail.model_validate(values).model_dump(mode="json")
    return TechnologyPublic.model_validate(values).model_dump(mode="json")
