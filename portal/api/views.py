"""API-wide routes: the OpenAPI document."""

from __future__ import annotations

from flask import jsonify

from portal.api import bp
from portal.api.openapi import build_document


def _document_parts() -> list[dict]:
    """Each domain's OpenAPI part, in one visible list."""
    return []


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(build_document(_document_parts()))
