"""Partners: the partner dashboard (/me) and the public list of partners."""

from flask import Blueprint

bp = Blueprint("partners", __name__)
