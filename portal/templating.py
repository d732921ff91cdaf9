"""Every function templates may call, registered in one visible place.

Most are pure formatting; the ones marked "reads the database" run a small query each time a
template calls them (one query per panel, never per row).
"""

from __future__ import annotations

from flask import Flask

from portal.agreements.labels import agreement_choices, agreement_label
from portal.catalog.forms import inquiry_status_form
from portal.catalog.labels import catalog_label, trl_meaning


def init_app(app: Flask) -> None:
    """Register the template globals of every domain."""
    for function in (
        catalog_label,
        trl_meaning,
        inquiry_status_form,
        agreement_label,
        agreement_choices,
    ):
        app.add_template_global(function)
