"""Saved-search alerts: a visitor follows a filtered catalog address by e-mail (double opt-in)."""

from flask import Blueprint

bp = Blueprint("alerts", __name__)
