"""Notifications: what the portal tells a user (in the app and by mail, now or in a daily digest)."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
