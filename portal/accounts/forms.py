"""Forms for signing in, passwords, organisations and invitations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Email, EqualTo, Length, Optional, Regexp

from portal.accounts.models import OrgKind
from portal.passwords import MAX_LENGTH, MIN_LENGTH


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


class OrganizationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Short name"),
        validators=[
            DataRequired(),
            Length(max=80),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Lower-case letters, digits, hyphens.")
            ),
        ],
        description=_l("Used in links, e.g. watthour. Cannot be changed later."),
    )
    kind = SelectField(
        _l("Kind"),
        choices=[(k.value, k.value.capitalize()) for k in OrgKind],
        validators=[DataRequired()],
    )
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    state = StringField(_l("State"), validators=[Optional(), Length(max=100)])
    website = StringField(
        _l("Website"), validators=[Optional(), URL(require_tld=False), Length(max=300)]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    is_public = BooleanField(_l("May be listed publicly"), default=True)


class OrganizationEditForm(OrganizationForm):
    slug = None


class InviteForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])


class StaffInviteForm(InviteForm):
    role = SelectField(
        _l("Role"),
        choices=[("staff", _l("Staff")), ("admin", _l("Admin"))],
        validators=[DataRequired()],
    )


class TotpForm(FlaskForm):
    code = StringField(
        _l("6-digit code from your authenticator app"),
        validators=[DataRequired(), Length(min=6, max=7)],
    )
