"""Human labels of the patent codes, and the one template function that reads patents."""

from __future__ import annotations

from flask import g

from portal import db
from portal.patents.queries import patents_of
from portal.vocabulary import Jurisdiction, PatentStatus

VOCABULARIES = {"jurisdiction": Jurisdiction, "status": PatentStatus}


def patent_label(kind: str, value) -> str:
    """The label of a patent code (office or status)."""
    return str(VOCABULARIES[kind].labels().get(str(value), value))


def patents_of_technology(technology) -> list:
    """Reads the database: the technology's patents (one query per page, cached on ``g``)."""
    cache = g.setdefault("_patents_of", {})
    if technology.id not in cache:
        cache[technology.id] = patents_of(db.session(), technology)
    return cache[technology.id]
