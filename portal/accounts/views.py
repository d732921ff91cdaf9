"""Sign-in and sign-out, passwords, sessions, and the staff pages for organisations and users."""

from __future__ import annotations

import time

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlmodel import func, select

from portal import db
from portal.accounts import bp, totp
from portal.accounts import services as accounts
from portal.accounts.forms import (
    InviteForm,
    LoginForm,
    OrganizationEditForm,
    OrganizationForm,
    PasswordChangeForm,
    SetPasswordForm,
    StaffInviteForm,
    TotpForm,
)
from portal.accounts.invitations import deliver_invitation
from portal.accounts.models import Organization, Role, User
from portal.audit.services import client_ip
from portal.errors import ServiceError
from portal.pagination import paginate
from portal.security import SESSION_TOKEN_KEY, safe_next

PENDING_SECOND_FACTOR = "pending_second_factor"
ENROLMENT_SECRET = "totp_enrolment_secret"
SECOND_FACTOR_WINDOW_S = 300


def home_for(user) -> str:
    """Where a user lands after signing in."""
    if user.is_staff:
        return url_for("admin.dashboard")
    return url_for("partners.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        outcome = accounts.attempt_login(db.session(), form.email.data, form.password.data)
        if outcome.throttled:
            message = _("Too many failed attempts. Wait a few minutes and try again.")
            return (
                render_template("accounts/login.html", form=form, error=message),
                429,
                {"Retry-After": str(outcome.retry_after_s)},
            )
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
        outcome = accounts.attempt_second_factor(db.session(), user, form.code.data)
        if outcome.throttled:
            message = _("Too many failed attempts. Wait a few minutes and try again.")
            return (
                render_template("accounts/login_totp.html", form=form, error=message),
                429,
                {"Retry-After": str(outcome.retry_after_s)},
            )
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
            accounts.enable_totp(db.session(), user, secret, form.code.data)
        except ServiceError as error:
            db.rollback()
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
        accounts.disable_totp(db.session(), current_user._get_current_object())
    except ServiceError as error:
        db.rollback()
        flash(error.message, "error")
    else:
        flash(_("Two-step sign-in is off."), "success")
    return redirect(url_for("accounts.password"))


def _start_session(user: User) -> None:
    """A fresh cookie (new id) tied to a new server-side session record."""
    session.clear()
    token = accounts.begin_session(
        db.session(), user, ip=client_ip(), user_agent=request.user_agent.string
    )
    session[SESSION_TOKEN_KEY] = token
    login_user(user, remember=False)


@bp.post("/logout")
def logout():
    """End the session on the server, so a copied cookie is refused afterwards."""
    token = session.get(SESSION_TOKEN_KEY)
    if token:
        accounts.end_session(db.session(), token)
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
            accounts.change_password(
                db.session(), user, form.current_password.data, form.new_password.data
            )
        except ServiceError as error:
            db.rollback()
            form.new_password.errors.append(error.message)
        else:
            _start_session(user)
            flash(_("Your password is changed. Other sessions have been signed out."), "success")
            return redirect(home_for(user))
    return render_template("accounts/password.html", form=form)


@bp.get("/account/sessions")
def sessions():
    """The signed-in user's open sessions."""
    current_hash = accounts.digest(session.get(SESSION_TOKEN_KEY, ""))
    return render_template(
        "accounts/sessions.html",
        sessions=accounts.open_sessions(db.session(), current_user),
        current_hash=current_hash,
    )


@bp.post("/account/sessions/<int:session_id>/end")
def end_session(session_id: int):
    """End one of one's own sessions (e.g. a browser left signed in elsewhere)."""
    if not accounts.end_own_session(db.session(), current_user, session_id):
        abort(404)
    flash(_("That session is signed out."), "success")
    return redirect(url_for("accounts.sessions"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    """Set a password from a single-use invitation link."""
    invitation = accounts.invitation_for_token(db.session(), token)
    if invitation is None:
        return render_template("accounts/invite_invalid.html"), 404
    user = db.session().get(User, invitation.user_id)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.accept_invitation(db.session(), invitation, form.new_password.data)
        except ServiceError as error:
            db.rollback()
            form.new_password.errors.append(error.message)
        else:
            _start_session(user)
            flash(_("Welcome! Your password is set."), "success")
            return redirect(home_for(user))
    return render_template("accounts/invite.html", form=form, user=user)


# --- staff: organisations --------------------------------------------------------------------


@bp.get("/admin/organizations")
def admin_organizations():
    """All organisations with their user counts."""
    q = request.args.get("q", "").strip()[:100]
    user_counts = (
        select(User.organization_id, func.count(User.id).label("users"))
        .group_by(User.organization_id)
        .subquery()
    )
    query = (
        select(Organization, func.coalesce(user_counts.c.users, 0))
        .outerjoin(user_counts, user_counts.c.organization_id == Organization.id)
        .order_by(Organization.name)
    )
    if q:
        query = query.where(Organization.name.ilike(f"%{q}%"))
    page = paginate(db.session(), query, request.args.get("page"))
    return render_template("accounts/admin_organizations.html", page=page, q=q)


@bp.route("/admin/organizations/new", methods=["GET", "POST"])
def admin_organization_create():
    """Register a new partner organisation."""
    form = OrganizationForm()
    if form.validate_on_submit():
        try:
            organization = accounts.create_organization(db.session(), **_organization_fields(form))
        except ServiceError as error:
            db.rollback()
            form.slug.errors.append(error.message)
        else:
            flash(_("Organisation created. Invite its first user below."), "success")
            return redirect(url_for("accounts.admin_organization_detail", org_id=organization.id))
    return render_template("accounts/admin_organization_form.html", form=form, organization=None)


def _organization_fields(form) -> dict:
    names = ("name", "slug", "kind", "city", "state", "website", "description", "is_public")
    return {name: getattr(form, name).data for name in names if getattr(form, name, None)}


def _flash_form_errors(form) -> None:
    """Show a form's validation errors on the page the user is sent back to."""
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


def get_organization_or_404(org_id: int) -> Organization:
    """An organisation by id (staff pages only reach here), else 404."""
    organization = db.session().get(Organization, org_id)
    if organization is None:
        abort(404)
    return organization


@bp.get("/admin/organizations/<int:org_id>")
def admin_organization_detail(org_id: int):
    """An organisation, its users and an invitation form."""
    organization = get_organization_or_404(org_id)
    users = (
        db.session()
        .exec(select(User).where(User.organization_id == organization.id).order_by(User.name))
        .all()
    )
    return render_template(
        "accounts/admin_organization_detail.html",
        organization=organization,
        users=users,
        form=InviteForm(),
    )


@bp.route("/admin/organizations/<int:org_id>/edit", methods=["GET", "POST"])
def admin_organization_edit(org_id: int):
    """Edit an organisation's details."""
    organization = get_organization_or_404(org_id)
    form = OrganizationEditForm(obj=organization)
    if form.validate_on_submit():
        accounts.update_organization(db.session(), organization, **_organization_fields(form))
        flash(_("Organisation saved."), "success")
        return redirect(url_for("accounts.admin_organization_detail", org_id=organization.id))
    return render_template(
        "accounts/admin_organization_form.html", form=form, organization=organization
    )


@bp.post("/admin/organizations/<int:org_id>/invite")
def admin_invite(org_id: int):
    """Invite a partner user of this organisation with a single-use set-password link."""
    organization = get_organization_or_404(org_id)
    form = InviteForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return redirect(url_for("accounts.admin_organization_detail", org_id=organization.id))
    try:
        user, token = accounts.invite_user(
            db.session(),
            email=form.email.data,
            name=form.name.data,
            role=Role.PARTNER,
            organization_id=organization.id,
        )
    except ServiceError as error:
        db.rollback()
        flash(error.message, "error")
        return redirect(url_for("accounts.admin_organization_detail", org_id=organization.id))
    return deliver_invitation(user, token, organization.name)


# --- staff: users ----------------------------------------------------------------------------


@bp.get("/admin/users")
def admin_users():
    """Every user, filterable by role and status."""
    role = request.args.get("role", "")
    status = request.args.get("status", "")
    query = (
        select(User, Organization)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .order_by(User.role, User.email)
    )
    if role in {r.value for r in Role}:
        query = query.where(User.role == role)
    if status in {"active", "inactive"}:
        query = query.where(User.is_active == (status == "active"))
    page = paginate(db.session(), query, request.args.get("page"))
    return render_template(
        "accounts/admin_users.html", page=page, role=role, status=status, form=StaffInviteForm()
    )


@bp.route("/admin/users/new", methods=["POST"])
def admin_user_create():
    """An admin invites a staff member or another admin."""
    form = StaffInviteForm()
    if form.validate_on_submit():
        try:
            user, token = accounts.invite_user(
                db.session(),
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                organization_id=None,
            )
        except ServiceError as error:
            db.rollback()
            flash(error.message, "error")
        else:
            return deliver_invitation(user, token, _("the Centre of Excellence"))
    else:
        _flash_form_errors(form)
    return redirect(url_for("accounts.admin_users"))


def get_user_or_404(user_id: int) -> User:
    """A user by id, else 404."""
    user = db.session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/admin/users/<int:user_id>/deactivate")
def admin_user_deactivate(user_id: int):
    """Disable a user; their sessions and tokens stop working at once."""
    user = get_user_or_404(user_id)
    if user.id == current_user.id:
        flash(_("You cannot deactivate yourself."), "error")
    else:
        accounts.set_active(db.session(), user, False)
        flash(_("%(email)s is deactivated.", email=user.email), "success")
    return redirect(safe_next(request.form.get("next"), url_for("accounts.admin_users")))


@bp.post("/admin/users/<int:user_id>/activate")
def admin_user_activate(user_id: int):
    """Re-enable a user."""
    user = get_user_or_404(user_id)
    accounts.set_active(db.session(), user, True)
    flash(_("%(email)s is active again.", email=user.email), "success")
    return redirect(safe_next(request.form.get("next"), url_for("accounts.admin_users")))


@bp.post("/admin/users/<int:user_id>/end-sessions")
def admin_user_end_sessions(user_id: int):
    """Sign a user out everywhere."""
    user = get_user_or_404(user_id)
    ended = accounts.sign_out_everywhere(db.session(), user)
    flash(_("Ended %(n)d session(s) of %(email)s.", n=ended, email=user.email), "success")
    return redirect(safe_next(request.form.get("next"), url_for("accounts.admin_users")))


@bp.post("/admin/users/<int:user_id>/reinvite")
def admin_user_reinvite(user_id: int):
    """Issue a new set-password link (e.g. the first one expired)."""
    user = get_user_or_404(user_id)
    if current_user.role == Role.STAFF and user.role != Role.PARTNER:
        abort(403)
    token = accounts.reissue_invitation(db.session(), user)
    organization = db.session().get(Organization, user.organization_id or 0)
    inviter = organization.name if organization else _("the Centre of Excellence")
    return deliver_invitation(user, token, inviter)
