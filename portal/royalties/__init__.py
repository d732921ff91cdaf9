"""Royalties: the reports a licensee owes each period, the royalty computed, payments reconciled."""

from flask import Blueprint

bp = Blueprint("royalties", __name__)
