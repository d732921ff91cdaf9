"""The GIGW pages: policies, help, feedback, the sitemaps and robots.txt."""

from flask import Blueprint

bp = Blueprint("pages", __name__)
