"""Forms: a licensee's report for one ended period, and a payment staff record."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import DataRequired

from portal.modelforms import model_form
from portal.royalties.models import RoyaltyPaymentFields, RoyaltyReportFields


class RoyaltyReportForm(model_form(RoyaltyReportFields)):
    # The choices offer the periods still to report; which periods may be filed is the service's
    # rule, so a second post for a filed period (another tab, Back) hears "already filed".
    period_start = SelectField(
        _l("Period"), validators=[DataRequired()], choices=[], validate_choice=False
    )


class RoyaltyPaymentForm(model_form(RoyaltyPaymentFields)):
    pass
