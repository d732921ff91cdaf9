"""Pages for signing in and getting back in: sign-in and sign-out, the second step, sessions,
the invitation link and "forgot password". A user's own settings (password, e-mail address,
two-step sign-in) are in account_views.py; the staff pages in staff_views.py."""

from __future__ import annotations

import time

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal import db
from portal.accounts import bp, invitations, links, resets
from portal.accounts import sessions as signin
from portal.accounts.forms import ForgotPasswordForm, LoginForm, SetPasswordForm, TotpForm
from portal.accounts.models import User
from portal.accounts.queries import open_sessions
from portal.accounts.tokens import digest
from portal.audit.services import client_ip
from portal.errors import ServiceError
from portal.security import SESSION_TOKEN_KEY, safe_next

PENDING_SECOND_FACTOR = "pending_second_factor"
SECOND_FACTOR_WINDOW_S = 300


def home_for(user) -> str:
    """Where a user lands after signing in."""
    if user.is_staff:
        return url_for("admin.dashboard")
    return url_for("partners.dashboard")


def throttled_page(template: str, outcome, **context):
    """A page again, refused for a while (429 with Retry-After)."""
    message = _("Too many failed attempts. Wait a few minutes and try again.")
    return (
        render_template(template, error=message, **context),
        429,
        {"Retry-After": str(outcome.retry_after_s)},
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        outcome = signin.attempt_login(db.session(), form.email.data, form.password.data)
        if outcome.throttled:
            return throttled_page("accounts/login.html", outcome, form=form)
        if outcome.user is None:
            error = _("The e-mail address or password is not correct.")
            return render_template("accounts/login.html", form=form, error=error), 200
        if outcome.user.totp_secret:
            session.clear()
            session[PENDING_SECOND_FACTOR] = {
                "user_id": outcome.user.id,
                "since": int(time.time()),
                "next": request.args.get("next", ""),
            }
            return redirect(url_for("accounts.login_totp"))
        start_session(outcome.user)
        return redirect(safe_next(request.args.get("next"), home_for(outcome.user)))
    return render_template("accounts/login.html", form=form, error=None)


@bp.route("/login/verify", methods=["GET", "POST"])
def login_totp():
    """The second step of signing in: a code from the user's authenticator app."""
    pending = session.get(PENDING_SECOND_FACTOR) or {}
    user = db.session().get(User, pending.get("user_id") or 0)
    if user is None or time.time() - pending.get("since", 0) > SECOND_FACTOR_WINDOW_S:
        if pending:  # a sign-in that timed out; a visitor who never began needs no message
            session.pop(PENDING_SECOND_FACTOR, None)
            flash(_("Please sign in again."), "info")
        return redirect(url_for("accounts.login"))
    form = TotpForm()
    error = None
    if form.validate_on_submit():
        outcome = signin.attempt_second_factor(db.session(), user, form.code.data)
        if outcome.throttled:
            return throttled_page("accounts/login_totp.html", outcome, form=form)
        if outcome.user is not None:
            start_session(outcome.user)
            return redirect(safe_next(pending.get("next"), home_for(outcome.user)))
        error = _("That code is not correct or was already used.")
    return render_template("accounts/login_totp.html", form=form, error=error)


def start_session(user: User) -> None:
    """A fresh cookie (new id) tied to a new server-side session record."""
    session.clear()
    token = signin.begin_session(
        db.session(), user, ip=client_ip(), user_agent=request.user_agent.string
    )
    session[SESSION_TOKEN_KEY] = token
    login_user(user, remember=False)


@bp.post("/logout")
def logout():
    """End the session on the server, so a copied cookie is refused afterwards."""
    token = session.get(SESSION_TOKEN_KEY)
    if token:
        signin.end_session(db.session(), token)
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("core.home"))


@bp.get("/account/sessions")
def sessions():
    """The signed-in user's open sessions."""
    current_hash = digest(session.get(SESSION_TOKEN_KEY, ""))
    return render_template(
        "accounts/sessions.html",
        sessions=open_sessions(db.session(), current_user),
        current_hash=current_hash,
    )


@bp.post("/account/sessions/<int:session_id>/end")
def end_session(session_id: int):
    """End one of one's own sessions (e.g. a browser left signed in elsewhere)."""
    if not signin.end_own_session(db.session(), current_user, session_id):
        abort(404)
    flash(_("That session is signed out."), "success")
    return redirect(url_for("accounts.sessions"))


# --- links that set a password: invitations and resets ---------------------------------------


def _set_password_page(link, template: str, welcome: str):
    """Choose a password from a link (and give a current code when the user has a second
    factor: the link alone never signs such a user in)."""
    user = db.session().get(User, link.user_id)
    form = SetPasswordForm()
    context = {"form": form, "user": user, "error": None}
    if form.validate_on_submit():
        try:
            outcome = links.set_password_from_link(
                db.session(), link, form.new_password.data, form.code.data or ""
            )
        except ServiceError as error:
            form.new_password.errors.append(error.message)
        else:
            if outcome.throttled:
                return throttled_page(template, outcome, form=form, user=user)
            if outcome.user is not None:
                start_session(outcome.user)
                flash(welcome, "success")
                return redirect(home_for(outcome.user))
            form.code.errors.append(outcome.error)
    return render_template(template, **context)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    """Set a password from a single-use invitation link."""
    invitation = invitations.invitation_for_token(db.session(), token)
    if invitation is None:
        return render_template("accounts/invite_invalid.html"), 404
    return _set_password_page(
        invitation, "accounts/invite.html", _("Welcome! Your password is set.")
    )


@bp.route("/password/forgot", methods=["GET", "POST"])
def password_forgot():
    """Ask for a reset link by e-mail; the answer is the same whether or not the address is known."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        outcome = resets.request_password_reset(db.session(), form.email.data, client_ip())
        if outcome.throttled:
            return throttled_page("accounts/password_forgot.html", outcome, form=form)
        # POST/redirect/GET: a reload of the answer must not ask for (and mail) another link.
        return redirect(url_for("accounts.password_reset_sent"), code=303)
    return render_template("accounts/password_forgot.html", form=form, error=None)


@bp.get("/password/forgot/sent")
def password_reset_sent():
    """Check your mail (the same words whether or not the address is known)."""
    return render_template("accounts/password_reset_sent.html")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def password_reset(token: str):
    """Choose a new password from a single-use reset link; every session and API token ends."""
    link = resets.reset_link_for_token(db.session(), token)
    if link is None:
        return render_template("accounts/invite_invalid.html", reset=True), 404
    return _set_password_page(
        link, "accounts/password_reset.html", _("Your new password is set. Welcome back!")
    )
