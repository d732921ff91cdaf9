"""Factories that make valid records with unique values; keyword overrides change any field."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from argon2 import PasswordHasher
from sqlmodel import Session

from portal.accounts.models import Organization, User
from portal.agreements.models import Agreement, Milestone

_counter = itertools.count(1)

DEFAULT_PASSWORD = "correct horse battery staple"


def unique(prefix: str) -> str:
    """A value no other factory call returns in this run."""
    return f"{prefix}{next(_counter)}"


def make_organization(db: Session, **overrides) -> Organization:
    """An organisation (a startup unless told otherwise)."""
    slug = overrides.pop("slug", unique("org-"))
    organization = Organization(
        **{"name": f"Org {slug}", "slug": slug, "kind": "startup", "city": "Pune", **overrides}
    )
    db.add(organization)
    db.commit()
    return organization


def make_user(
    db: Session,
    role: str = "partner",
    organization: Organization | None = None,
    password: str = DEFAULT_PASSWORD,
    **overrides,
) -> User:
    """A user with a known password; partners get an organisation of their own unless given."""
    if role == "partner" and organization is None:
        organization = make_organization(db)
    user = User(
        **{
            "email": f"{unique(role)}@example.org",
            "name": f"Test {role}",
            "role": role,
            "organization_id": organization.id if organization else None,
            "password_hash": _cheap_hash(password),
            **overrides,
        }
    )
    db.add(user)
    db.commit()
    return user


def _cheap_hash(password: str) -> str:
    # Test-speed argon2id parameters, the same the test app is configured with.
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(password)


# --- agreements ------------------------------------------------------------------------------


def make_agreement(db: Session, organization: Organization | None = None, **overrides) -> Agreement:
    """An active MoU of `organization` (made when not given), effective since 2025-01-01."""
    if organization is None:
        organization = make_organization(db)
    agreement = Agreement(
        **{
            "reference": unique("COE-MOU-2025-T"),
            "title": "Test MoU",
            "kind": "mou",
            "organization_id": organization.id,
            "status": "active",
            "signed_on": date(2025, 1, 1),
            "effective_on": date(2025, 1, 1),
            "scope": "Co-development of sodium-ion cells.",
            **overrides,
        }
    )
    db.add(agreement)
    db.commit()
    return agreement


def make_milestone(db: Session, agreement: Agreement | None = None, **overrides) -> Milestone:
    """A planned, partner-owned deliverable of `agreement` (an active MoU made when not given)."""
    if agreement is None:
        agreement = make_agreement(db)
    milestone = Milestone(
        **{
            "agreement_id": agreement.id,
            "title": unique("Milestone "),
            "kind": "deliverable",
            "owner": "partner",
            "due_on": date.today() + timedelta(days=20),
            "status": "planned",
            **overrides,
        }
    )
    db.add(milestone)
    db.commit()
    return milestone


# --- datasets --------------------------------------------------------------------------------


def make_dataset(db: Session, **overrides):
    """A restricted sodium-ion cycle-life dataset with no files."""
    from portal.datasets.models import Dataset

    slug = overrides.pop("slug", unique("dataset-"))
    dataset = Dataset(
        **{
            "slug": slug,
            "title": f"Dataset {slug}",
            "chemistry": "na_ion",
            "cell_format": "2032 coin cell",
            "test_type": "cycle_life",
            "visibility": "restricted",
            **overrides,
        }
    )
    db.add(dataset)
    db.commit()
    return dataset


def make_dataset_grant(db: Session, dataset, organization, **overrides):
    """A grant of `dataset` to `organization` (no agreement, no expiry unless given)."""
    from portal.datasets.models import DatasetGrant

    grant = DatasetGrant(
        **{"dataset_id": dataset.id, "organization_id": organization.id, **overrides}
    )
    db.add(grant)
    db.commit()
    return grant


def ingest_into(app, dataset, path, filename: str | None = None):
    """Ingest a cycler file into `dataset` through the service (as an upload would); returns the file."""
    from pathlib import Path

    from portal import db as portal_db
    from portal.datasets import files
    from portal.datasets.models import Dataset

    path = Path(path)
    with app.app_context():
        session = portal_db.session()
        target = session.get(Dataset, dataset.id)
        try:
            with open(path, "rb") as stream:
                dataset_file = files.add_file(session, target, stream, filename or path.name)
            session.commit()
        finally:
            session.close()
        return dataset_file


def make_technology(db: Session, applications=("ev",), **overrides):
    """A published technology (a sodium-ion cell at TRL 5 unless told otherwise)."""
    from portal.catalog.models import Technology, applications_mask
    from portal.db import utcnow

    slug = overrides.pop("slug", unique("tech-"))
    fields = {
        "slug": slug,
        "title": f"Technology {slug}",
        "summary": "A battery technology for tests.",
        "description": "Made at the CoE.",
        "chemistry": "na_ion",
        "category": "cell",
        "trl": 5,
        "licensing_status": "available",
        "is_published": True,
        "applications_mask": applications_mask(applications),
        **overrides,
    }
    if fields["is_published"] and "published_at" not in fields:
        fields["published_at"] = utcnow()
    technology = Technology(**fields)
    db.add(technology)
    db.commit()
    return technology


def make_inquiry(db: Session, technology=None, **overrides):
    """An inquiry (status new) about `technology`, or a general one."""
    from portal.catalog.models import Inquiry

    inquiry = Inquiry(
        **{
            "technology_id": technology.id if technology else None,
            "name": "Asha Rao",
            "email": f"{unique('lead')}@example.in",
            "organization_name": "Volt Works Pvt Ltd",
            "interest": "licensing",
            "message": "We would like to licence this technology.",
            **overrides,
        }
    )
    db.add(inquiry)
    db.commit()
    return inquiry
