"""Resumable uploads (the tus 1.0.0 protocol): large cycler files sent in chunks that survive a
dropped connection, then handed to the datasets' ingest like a form upload."""

from flask import Blueprint

bp = Blueprint("resumable", __name__)
