"""Accounts: sign-in, sessions, passwords, invitations, organisations and users."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
