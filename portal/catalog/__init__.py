"""The public technology catalog, expressions of interest and their staff pages."""

from flask import Blueprint

bp = Blueprint("catalog", __name__)
api_bp = Blueprint("catalog_api", __name__, url_prefix="/api/v1")
