"""Core pages: home, health checks and the language switch."""

from flask import Blueprint

bp = Blueprint("core", __name__)
