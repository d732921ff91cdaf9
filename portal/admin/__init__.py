"""Staff dashboard. The admin domain owns no tables: it reads the other domains' services."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
