"""Forms for signing in, passwords, two-step sign-in, and the staff's organisation and invitation
forms (built from the models' declared fields)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from portal.accounts.models import OrganizationFields, Role, UserFields
from portal.modelforms import model_form
from portal.passwords import MAX_LENGTH, MIN_LENGTH

# Partners are invited from their organisation's page; the staff form invites the CoE's own.
STAFF_ROLES = (Role.STAFF, Role.ADMIN)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])


class NewPasswordMixin:
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=MIN_LENGTH, max=MAX_LENGTH, message=_l("Use 8 to 256 characters.")),
        ],
        description=_l("At least 8 characters. A few unrelated words make a strong password."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class PasswordChangeForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )


class SetPasswordForm(NewPasswordMixin, FlaskForm):
    pass


OrganizationForm = model_form(OrganizationFields, name="OrganizationForm")
# The short name is in every link to the organisation, so it is set once, at creation.
OrganizationEditForm = model_form(
    OrganizationFields, name="OrganizationEditForm", exclude=("slug",)
)

InviteForm = model_form(UserFields, name="InviteForm", exclude=("role",))


class StaffInviteForm(model_form(UserFields)):
    """An admin invites CoE staff: the role offers staff and admin only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [(role.value, role.label) for role in STAFF_ROLES]


class TotpForm(FlaskForm):
    code = StringField(
        _l("6-digit code from your authenticator app"),
        validators=[DataRequired(), Length(min=6, max=7)],
    )
