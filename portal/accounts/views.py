"""Pages for whoever signs in: sign-in and sign-out, two-step sign-in, password, sessions, and the
invitation link. The staff pages for organisations and users are in staff_views.py."""

from __future__ import annotations

import time

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal import db
from portal.accounts import bp, invitations, totp, users
from portal.accounts import sessions as signin
from portal.accounts.forms import LoginForm, PasswordChangeForm, SetPasswordForm, TotpForm
from portal.accounts.models import User
from portal.accounts.queries import open_sessions
from portal.accounts.tokens import digest
from portal.audit.services import client_ip
from portal.errors import ServiceError
from portal.security import SESSION_TOKEN_KEY, safe_next

PENDING_SECOND_FACTOR = "pending_second_factor"
ENROLMENT_SECRET = "totp_enrolment_secret"
SECOND_FACTOR_WINDOW_S = 300


def home_for(user) -> str:
    """Where a user lands after signing in."""
    if user.is_staff:
        return url_for("admin.dashboard")
    return url_for("partners.dashboard")


def _throttled(template: str, form, outcome: signin.LoginOutcome):
    """The sign-in step's page again, refused for a while (429 with Retry-After)."""
    message = _("Too many failed attempts. Wait a few minutes and try again.")
    return (
        render_template(template, form=form, error=message),
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
            return _throttled("accounts/login.html", form, outcome)
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
        _start_session(outcome.user)
        return redirect(safe_next(request.args.get("next"), home_for(outcome.user)))
    return render_template("accounts/login.html", form=form, error=None)


@bp.route("/login/verify", methods=["GET", "POST"])
def login_totp():
    """The second step of signing in: a code from the user's authenticator app."""
    pending = session.get(PENDING_SECOND_FACTOR) or {}
    user = db.session().get(User, pending.get("user_id") or 0)
    if user is None or time.time() - pending.get("since", 0) > SECOND_FACTOR_WINDOW_S:
        session.pop(PENDING_SECOND_FACTOR, None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for("accounts.login"))
    form = TotpForm()
    error = None
    if form.validate_on_submit():
        outcome = signin.attempt_second_factor(db.session(), user, form.code.data)
        if outcome.throttled:
            return _throttled("accounts/login_totp.html", form, outcome)
        if outcome.user is not None:
            _start_session(outcome.user)
            return redirect(safe_next(pending.get("next"), home_for(outcome.user)))
        error = _("That code is not correct or was already used.")
    return render_template("accounts/login_totp.html", form=form, error=error)


@bp.route("/account/two-step", methods=["GET", "POST"])
def totp_setup():
    """Turn on two-step sign-in: scan the QR code, then confirm one code."""
    user = current_user._get_current_object()
    form = TotpForm()
    secret = session.get(ENROLMENT_SECRET) or totp.new_secret()
    session[ENROLMENT_SECRET] = secret
    if form.validate_on_submit():
        try:
            users.enable_totp(db.session(), user, secret, form.code.data)
        except ServiceError as error:
            form.code.errors.append(error.message)
        else:
            session.pop(ENROLMENT_SECRET, None)
            flash(_("Two-step sign-in is on."), "success")
            return redirect(home_for(user))
    uri = totp.provisioning_uri(user.email, secret)
    return render_template(
        "accounts/totp_setup.html",
        form=form,
        secret=secret,
        qr_code=totp.qr_code_data_uri(uri),
        enabled=bool(user.totp_secret),
    )


@bp.post("/account/two-step/disable")
def totp_disable():
    """Turn off two-step sign-in (partners; staff only where it is optional)."""
    try:
        users.disable_totp(db.session(), current_user._get_current_object())
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(_("Two-step sign-in is off."), "success")
    return redirect(url_for("accounts.password"))


def _start_session(user: User) -> None:
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


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    """Change one's own password; other sessions end."""
    form = PasswordChangeForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            users.change_password(
                db.session(), user, form.current_password.data, form.new_password.data
            )
        except ServiceError as error:
            form.new_password.errors.append(error.message)
        else:
            _start_session(user)
            flash(_("Your password is changed. Other sessions have been signed out."), "success")
            return redirect(home_for(user))
    return render_template("accounts/password.html", form=form)


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


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    """Set a password from a single-use invitation link."""
    invitation = invitations.invitation_for_token(db.session(), token)
    if invitation is None:
        return render_template("accounts/invite_invalid.html"), 404
    user = db.session().get(User, invitation.user_id)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            invitations.accept_invitation(db.session(), invitation, form.new_password.data)
        except ServiceError as error:
            form.new_password.errors.append(error.message)
        else:
            _start_session(user)
            flash(_("Welcome! Your password is set."), "success")
            return redirect(home_for(user))
    return render_template("accounts/invite.html", form=form, user=user)
