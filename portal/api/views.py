"""API-wide routes: the OpenAPI document."""

from __future__ import annotations

from flask import jsonify

from portal.agreements.openapi import PART as agreements
from portal.api import bp
from portal.api.openapi import build_document
from portal.catalog.openapi import PART as catalog
from portal.datasets.openapi import PART as datasets


def _document_parts() -> list[dict]:
    """Each domain's OpenAPI part, in one visible list."""
    return [catalog, agreements, datasets]


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(build_document(_document_parts()))
