"""Patents: structured records per technology, their register links and renewal-fee dates."""

from flask import Blueprint

bp = Blueprint("patents", __name__)
