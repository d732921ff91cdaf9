"""Open metadata: Atom feeds, schema.org JSON-LD, OpenGraph tags and the DCAT catalogue."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)
