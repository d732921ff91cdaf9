"""Forms for personal API tokens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.accounts.models import TOKEN_MAX_DAYS, default_token_expiry
from portal.modelforms import MultiCheckboxField, PortalDateField
from portal.vocabulary import TokenScope


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("Something to recognise it by, e.g. “lab notebook”."),
    )
    expires_on = PortalDateField(
        _l("Works until (last day)"),
        validators=[Optional()],
        default=default_token_expiry,
        description=_l(
            "90 days unless you choose otherwise; at most %(days)d days.", days=TOKEN_MAX_DAYS
        ),
    )
    # Every token reads; the boxes offer the write scopes the API has (none yet, so the page
    # says a token only reads).
    scopes = MultiCheckboxField(
        _l("It may also"),
        choices=[(code, label) for code, label in TokenScope.choices() if code != TokenScope.READ],
        validators=[Optional()],
    )

    def chosen_scopes(self) -> list[str]:
        """Reading, plus the write scopes ticked."""
        return [TokenScope.READ.value, *(self.scopes.data or [])]
