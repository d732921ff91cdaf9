"""Licence applications: a structured application for a technology and the staff pipeline."""

from flask import Blueprint

bp = Blueprint("licensing", __name__)
