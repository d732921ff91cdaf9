"""What the application pages and the KPI dashboard read (views build no SQL)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from portal.catalog.models import Technology
from portal.db import utcnow
from portal.licensing.models import ApplicationStep, LicenceApplication
from portal.vocabulary import Stage


def applications_of_organization(
    db: Session, organization_id: int
) -> list[tuple[LicenceApplication, str, ApplicationStep | None]]:
    """An organisation's applications, newest first, with the technology title and last step."""
    rows = db.exec(
        select(LicenceApplication, Technology.title)
        .join(Technology, Technology.id == LicenceApplication.technology_id)
        .where(LicenceApplication.organization_id == organization_id)
        .order_by(LicenceApplication.created_at.desc(), LicenceApplication.id.desc())
    ).all()
    last = last_steps(db, [a.id for a, _t in rows])
    return [(a, title, last.get(a.id)) for a, title in rows]


def last_steps(db: Session, application_ids: list[int]) -> dict[int, ApplicationStep]:
    """The newest step of each application (one query)."""
    if not application_ids:
        return {}
    newest = (
        select(func.max(ApplicationStep.id))
        .where(ApplicationStep.application_id.in_(application_ids))
        .group_by(ApplicationStep.application_id)
    )
    steps = db.exec(select(ApplicationStep).where(ApplicationStep.id.in_(newest))).all()
    return {s.application_id: s for s in steps}


def steps_of(db: Session, application: LicenceApplication) -> list[ApplicationStep]:
    """Every step of an application, oldest first."""
    return list(
        db.exec(
            select(ApplicationStep)
            .where(ApplicationStep.application_id == application.id)
            .order_by(ApplicationStep.created_at, ApplicationStep.id)
        ).all()
    )


def application_context(db: Session, application: LicenceApplication) -> dict:
    """What both the staff page and the applicant's page show of an application."""
    return {
        "application": application,
        "technology": db.get(Technology, application.technology_id),
        "steps": steps_of(db, application),
    }


def pipeline(db: Session) -> dict[str, list[tuple[LicenceApplication, str]]]:
    """Every application by stage (in pipeline order), oldest in its stage first."""
    rows = db.exec(
        select(LicenceApplication, Technology.title)
        .join(Technology, Technology.id == LicenceApplication.technology_id)
        .order_by(LicenceApplication.stage_since, LicenceApplication.id)
    ).all()
    by_stage: dict[str, list] = {stage: [] for stage in Stage.values()}
    for application, title in rows:
        by_stage[application.stage].append((application, title))
    return by_stage


@dataclass
class StageFigure:
    stage: str
    count: int  # applications in this stage now
    average_days: float | None  # mean time spent in the stage (finished and ongoing stays)


def stage_figures(db: Session, now: datetime | None = None) -> list[StageFigure]:
    """Applications by stage and the average days they spend in each (two queries)."""
    now = now or utcnow()
    counts = dict(
        db.exec(
            select(LicenceApplication.stage, func.count()).group_by(LicenceApplication.stage)
        ).all()
    )
    steps = db.exec(
        select(ApplicationStep).order_by(ApplicationStep.application_id, ApplicationStep.id)
    ).all()
    stays: dict[str, list[float]] = defaultdict(list)
    by_application: dict[int, list[ApplicationStep]] = defaultdict(list)
    for step in steps:
        by_application[step.application_id].append(step)
    final = (Stage.APPROVED, Stage.DECLINED)
    for chain in by_application.values():
        for step, following in zip(chain, [*chain[1:], None], strict=True):
            if step.to_stage in final:
                continue
            until = following.created_at if following else now
            stays[step.to_stage].append((until - step.created_at).total_seconds() / 86400)
    return [
        StageFigure(
            stage,
            counts.get(stage, 0),
            round(sum(stays[stage]) / len(stays[stage]), 1) if stays.get(stage) else None,
        )
        for stage in Stage.values()
    ]
