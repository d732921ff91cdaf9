"""Staff pages of the accounts: organisations, users, and the invitations staff send."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import db
from portal.accounts import bp, invitations, organizations, sessions, users
from portal.accounts.forms import (
    InviteForm,
    OrganizationEditForm,
    OrganizationForm,
    StaffInviteForm,
)
from portal.accounts.loaders import get_organization_or_404, get_user_or_404
from portal.accounts.models import Organization
from portal.accounts.queries import organization_users, organizations_query, users_query
from portal.errors import ServiceError
from portal.modelforms import form_values
from portal.pagination import paginate
from portal.security import safe_next
from portal.textmatch import clean_search
from portal.vocabulary import Role


def _flash_form_errors(form) -> None:
    """Show a form's validation errors on the page the user is sent back to."""
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


def _back_to_users():
    """Back where the button was pressed (the users list unless told otherwise)."""
    return redirect(safe_next(request.form.get("next"), url_for("accounts.admin_users")))


# --- organisations ---------------------------------------------------------------------------


@bp.get("/admin/users/invited")
def admin_invitation_sent():
    """What became of the invitation just made (shown once, after the redirect)."""
    return invitations.invitation_sent_page(db.session())


@bp.get("/admin/organizations")
def admin_organizations():
    """All organisations with their user counts."""
    q = clean_search(request.args.get("q"))
    page = paginate(db.session(), organizations_query(q), request.args.get("page"))
    return render_template("accounts/admin_organizations.html", page=page, q=q)


@bp.route("/admin/organizations/new", methods=["GET", "POST"])
def admin_organization_create():
    """Register a new partner organisation."""
    form = OrganizationForm()
    if form.validate_on_submit():
        try:
            organization = organizations.create_organization(db.session(), **form_values(form))
        except ServiceError as error:
            form.slug.errors.append(error.message)
        else:
            flash(_("Organisation created. Invite its first user below."), "success")
            return redirect(url_for("accounts.admin_organization_detail", org_id=organization.id))
    return render_template("accounts/admin_organization_form.html", form=form, organization=None)


@bp.get("/admin/organizations/<int:org_id>")
def admin_organization_detail(org_id: int):
    """An organisation, its users and an invitation form."""
    organization = get_organization_or_404(org_id)
    return render_template(
        "accounts/admin_organization_detail.html",
        organization=organization,
        users=organization_users(db.session(), organization),
        form=InviteForm(),
    )


@bp.route("/admin/organizations/<int:org_id>/edit", methods=["GET", "POST"])
def admin_organization_edit(org_id: int):
    """Edit an organisation's details."""
    organization = get_organization_or_404(org_id)
    form = OrganizationEditForm(obj=organization)
    if form.validate_on_submit():
        organizations.update_organization(db.session(), organization, form_values(form))
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
        user, token = invitations.invite_user(
            db.session(), role=Role.PARTNER, organization_id=organization.id, **form_values(form)
        )
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.admin_organization_detail", org_id=organization.id))
    return invitations.deliver_invitation(user, token, organization.name)


# --- users -----------------------------------------------------------------------------------


@bp.get("/admin/users")
def admin_users():
    """Every user, filterable by role and status."""
    role = request.args.get("role", "")
    status = request.args.get("status", "")
    page = paginate(db.session(), users_query(role, status), request.args.get("page"))
    return render_template(
        "accounts/admin_users.html",
        page=page,
        role=role,
        status=status,
        roles=Role.choices(),
        form=StaffInviteForm(),
        locked=sessions.locked_accounts(db.session()),
        may_manage=users.may_manage,
    )


@bp.route("/admin/users/new", methods=["POST"])
def admin_user_create():
    """An admin invites a staff member or another admin."""
    form = StaffInviteForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return redirect(url_for("accounts.admin_users"))
    try:
        user, token = invitations.invite_user(
            db.session(), organization_id=None, **form_values(form)
        )
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.admin_users"))
    return invitations.deliver_invitation(user, token, _("the Centre of Excellence"))


@bp.post("/admin/users/<int:user_id>/deactivate")
def admin_user_deactivate(user_id: int):
    """Disable a user; their sessions and tokens stop working at once."""
    user = get_user_or_404(user_id)
    if user.id == current_user.id:
        flash(_("You cannot deactivate yourself."), "error")
        return _back_to_users()
    return _set_active(user, False, _("%(email)s is deactivated.", email=user.email))


@bp.post("/admin/users/<int:user_id>/activate")
def admin_user_activate(user_id: int):
    """Re-enable a user."""
    user = get_user_or_404(user_id)
    return _set_active(user, True, _("%(email)s is active again.", email=user.email))


def _set_active(user, active: bool, done: str):
    users.set_active(db.session(), user, active)
    flash(done, "success")
    return _back_to_users()


@bp.post("/admin/users/<int:user_id>/end-sessions")
def admin_user_end_sessions(user_id: int):
    """Sign a user out everywhere."""
    user = get_user_or_404(user_id)
    ended = sessions.sign_out_everywhere(db.session(), user)
    flash(_("Ended %(n)d session(s) of %(email)s.", n=ended, email=user.email), "success")
    return _back_to_users()


@bp.post("/admin/users/<int:user_id>/reinvite")
def admin_user_reinvite(user_id: int):
    """Mail a new set-password link to someone who has not set a password yet (e.g. the first
    link expired); staff may do so for partners only, and the page never shows the link."""
    user = get_user_or_404(user_id)
    try:
        token = invitations.reissue_invitation(db.session(), user, current_user)
    except ServiceError as error:
        flash(error.message, "error")
        return _back_to_users()
    organization = db.session().get(Organization, user.organization_id or 0)
    inviter = organization.name if organization else _("the Centre of Excellence")
    return invitations.deliver_invitation(user, token, inviter)


@bp.post("/admin/users/<int:user_id>/unlock")
def admin_user_unlock(user_id: int):
    """Lift a sign-in lock (staff for partners, admins for anyone); audited."""
    user = get_user_or_404(user_id)
    if not users.may_manage(current_user, user):
        flash(_("You may not unlock this account."), "error")
    elif sessions.unlock(db.session(), user):
        flash(_("%(email)s may sign in again.", email=user.email), "success")
    else:
        flash(_("%(email)s was not locked.", email=user.email), "info")
    return _back_to_users()


@bp.post("/admin/users/<int:user_id>/reset-two-step")
def admin_user_reset_totp(user_id: int):
    """An admin turns off a user's two-step sign-in (a lost phone): audited, and the user is told
    by mail; their sessions and API tokens end."""
    user = get_user_or_404(user_id)
    try:
        users.reset_totp_by_admin(db.session(), current_user._get_current_object(), user)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(
            _("Two-step sign-in of %(email)s is off; they were told.", email=user.email), "success"
        )
    return _back_to_users()


@bp.post("/admin/organizations/<int:org_id>/deactivate")
def admin_organization_deactivate(org_id: int):
    """An organisation leaves the portal: every user of it is deactivated (sessions and API
    tokens end at once)."""
    organization = get_organization_or_404(org_id)
    count = users.deactivate_organization(db.session(), organization)
    flash(_("%(n)d user(s) of %(name)s deactivated.", n=count, name=organization.name), "success")
    return redirect(url_for("accounts.admin_organization_detail", org_id=organization.id))
