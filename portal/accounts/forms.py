"""Forms for signing in, passwords, two-step sign-in, and the staff's organisation and invitation
forms (built from the models' declared fields)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from portal.accounts.models import OrganizationFields, UserFields
from portal.modelforms import model_form
from portal.passwords import MAX_LENGTH, MIN_LENGTH
from portal.vocabulary import Role

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


def _code_field(label, required: bool = False) -> StringField:
    return StringField(
        label,
        validators=[DataRequired() if required else Optional(), Length(min=6, max=7)],
    )


class StepUpForm(FlaskForm):
    """Re-authentication before a sensitive change: the password, and a current code when the
    user has a second factor (the page shows that field only then)."""

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    current_code = _code_field(_l("Current 6-digit code from your authenticator app"))


class PasswordChangeForm(NewPasswordMixin, StepUpForm):
    pass


class EmailChangeForm(StepUpForm):
    new_email = EmailField(
        _l("New e-mail address"),
        validators=[DataRequired(), Email(), Length(max=254)],
        description=_l("We send a link there; the address changes when you open it."),
    )


class TotpSetupForm(StepUpForm):
    """Turn two-step sign-in on, or move it to a new app: the new app's code confirms it."""

    code = _code_field(_l("6-digit code the new app shows"), required=True)


class TotpDisableForm(StepUpForm):
    pass


class SetPasswordForm(NewPasswordMixin, FlaskForm):
    """A password from an invitation or reset link; the code when the user has a second factor."""

    code = _code_field(_l("6-digit code from your authenticator app"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mail address of your account"), validators=[DataRequired(), Length(max=254)]
    )


class ConfirmForm(FlaskForm):
    """A button that confirms what the page describes (the CSRF token is its only field)."""


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
