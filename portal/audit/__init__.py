"""Audit log blueprint: staff read the trail at /admin/audit."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
