"""Agreements: MoUs and licences, their documents and milestones (staff pages and the partner view)."""

from flask import Blueprint

bp = Blueprint("agreements", __name__)
api_bp = Blueprint("agreements_api", __name__, url_prefix="/api/v1")
