"""Datasets: cycler test data shared with partners (pages, staff admin and the JSON API)."""

from flask import Blueprint

bp = Blueprint("datasets", __name__)
api_bp = Blueprint("datasets_api", __name__, url_prefix="/api/v1")
