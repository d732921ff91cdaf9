"""The honeypot of the public forms: a field hidden from people that bots fill in.

A submission with it filled is answered as usual and kept nowhere, so a bot learns nothing.
Templates render it with the `honeypot(form)` macro of _macros.html (hidden by the stylesheet's
``.honeypot`` class, out of the tab order).
"""

from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Optional

log = logging.getLogger("portal.honeypot")


class HoneypotForm(FlaskForm):
    """A public form that carries the honeypot field."""

    website = StringField(_l("Leave this field empty"), validators=[Optional()])

    def caught_a_bot(self, what: str) -> bool:
        """Whether the hidden field was filled (logged): the caller keeps nothing and says 'sent'."""
        if not self.website.data:
            return False
        log.info("%s honeypot filled; discarded", what)
        return True
