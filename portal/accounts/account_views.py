"""A user's own account settings: password, e-mail address and two-step sign-in.

Each change asks for the password again, and a current code when the user has a second factor
(`sessions.confirm_identity`: failures count and lock like sign-in failures), and the user is
told by mail. The e-mail confirmation link works without a session: it is the credential.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import db
from portal.accounts import bp, email_change, totp, users
from portal.accounts import sessions as signin
from portal.accounts.forms import (
    ConfirmForm,
    EmailChangeForm,
    PasswordChangeForm,
    TotpDisableForm,
    TotpSetupForm,
)
from portal.accounts.views import home_for, start_session
from portal.errors import ServiceError

ENROLMENT_SECRET = "totp_enrolment_secret"
# The turn-off form shares the page with the set-up form: its fields get their own names and ids.
DISABLE_PREFIX = "off"


def _status(form) -> int:
    """200 for a page shown, 400 for a form sent back with its errors."""
    return 400 if form.is_submitted() else 200


def _step_up_refusal(form) -> tuple[int, dict] | None:
    """Check the step-up fields of `form`: None when they are right, else the status and headers
    to answer with (the reason is added to the form's errors)."""
    user = current_user._get_current_object()
    code = (form.current_code.data or "").strip()
    if user.totp_secret and not code:
        form.current_code.errors.append(_("Enter the current code from your authenticator app."))
        return 400, {}
    outcome = signin.confirm_identity(db.session(), user, form.current_password.data, code)
    if outcome.throttled:
        form.current_password.errors.append(
            _("Too many failed attempts. Wait a few minutes and try again.")
        )
        return 429, {"Retry-After": str(outcome.retry_after_s)}
    if outcome.user is None:
        form.current_password.errors.append(
            _("Your password or the code is not correct.")
            if user.totp_secret
            else _("Your current password is not correct.")
        )
        return 400, {}
    return None


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    """Change one's own password; every session and API token ends, this one starts afresh."""
    form = PasswordChangeForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        if refusal := _step_up_refusal(form):
            return (render_template("accounts/password.html", form=form), *refusal)
        try:
            users.change_password(db.session(), user, form.new_password.data)
        except ServiceError as error:
            form.new_password.errors.append(error.message)
        else:
            start_session(user)
            flash(
                _("Your password is changed. Other sessions and your API tokens have ended."),
                "success",
            )
            return redirect(home_for(user))
    return render_template("accounts/password.html", form=form), _status(form)


@bp.route("/account/email", methods=["GET", "POST"])
def email():
    """Ask to change one's e-mail address: a confirmation link goes to the new one."""
    form = EmailChangeForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        if refusal := _step_up_refusal(form):
            return (render_template("accounts/email.html", form=form), *refusal)
        try:
            new = email_change.request_email_change(db.session(), user, form.new_email.data)
        except ServiceError as error:
            form.new_email.errors.append(error.message)
        else:
            flash(
                _(
                    "We sent a link to %(email)s. Your address changes when you open it.",
                    email=new,
                ),
                "success",
            )
            return redirect(url_for("accounts.password"))
    return render_template("accounts/email.html", form=form), _status(form)


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
def email_confirm(token: str):
    """Open the link sent to the new address; the button makes the change (a GET never does)."""
    link = email_change.email_link_for_token(db.session(), token)
    if link is None:
        return render_template("accounts/invite_invalid.html", reset=False), 404
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            email_change.confirm_email_change(db.session(), link)
        except ServiceError as refusal:
            error = refusal.message
        else:
            flash(_("Your e-mail address is now %(email)s.", email=link.new_email), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/email_confirm.html", form=form, link=link, error=error)


@bp.route("/account/two-step", methods=["GET", "POST"])
def totp_setup():
    """Turn on two-step sign-in, or move it to a new app: scan the code, then confirm one code.
    Asks for the password, and for a current code when it is already on."""
    user = current_user._get_current_object()
    form = TotpSetupForm()
    secret = session.get(ENROLMENT_SECRET) or totp.new_secret()
    session[ENROLMENT_SECRET] = secret
    uri = totp.provisioning_uri(user.email, secret)
    context = {
        "secret": secret,
        "qr_code": totp.qr_code_data_uri(uri),
        "enabled": bool(user.totp_secret),
        "disable_form": TotpDisableForm(formdata=None, prefix=DISABLE_PREFIX),
    }
    if form.validate_on_submit():
        if refusal := _step_up_refusal(form):
            return (render_template("accounts/totp_setup.html", form=form, **context), *refusal)
        replacing = bool(user.totp_secret)
        try:
            users.enable_totp(db.session(), user, secret, form.code.data)
        except ServiceError as error:
            form.code.errors.append(error.message)
        else:
            session.pop(ENROLMENT_SECRET, None)
            flash(
                _("Two-step sign-in now uses your new app.")
                if replacing
                else _("Two-step sign-in is on."),
                "success",
            )
            return redirect(home_for(user))
    return render_template("accounts/totp_setup.html", form=form, **context), _status(form)


@bp.post("/account/two-step/disable")
def totp_disable():
    """Turn off two-step sign-in (partners; staff only where it is optional), after the password
    and a current code."""
    user = current_user._get_current_object()
    form = TotpDisableForm(prefix=DISABLE_PREFIX)
    secret = session.get(ENROLMENT_SECRET) or totp.new_secret()
    session[ENROLMENT_SECRET] = secret
    context = {
        "secret": secret,
        "qr_code": totp.qr_code_data_uri(totp.provisioning_uri(user.email, secret)),
        "enabled": bool(user.totp_secret),
        "disable_form": form,
    }
    setup_form = TotpSetupForm(formdata=None)
    if not form.validate_on_submit():
        return render_template("accounts/totp_setup.html", form=setup_form, **context), 400
    if refusal := _step_up_refusal(form):
        return (render_template("accounts/totp_setup.html", form=setup_form, **context), *refusal)
    try:
        users.disable_totp(db.session(), user)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(_("Two-step sign-in is off."), "success")
    return redirect(url_for("accounts.password"))
