"""Every function templates may call, registered in one visible place.

Most are pure formatting; the ones marked "reads the database" run a small query each time a
template calls them (one query per panel, never per row).
"""

from __future__ import annotations

from flask import Flask

from portal.agreements.labels import agreement_choices, agreement_label
from portal.alerts.services import urlencode_args
from portal.audit.labels import audit_action_label
from portal.catalog.forms import inquiry_status_form
from portal.catalog.labels import catalog_label, key_figures, trl_meaning
from portal.datasets import panels
from portal.datasets.labels import dataset_choices, dataset_label, soh_text
from portal.feeds.metadata import dataset_jsonld, technology_jsonld
from portal.licensing.labels import licensing_label
from portal.localized import localized
from portal.modelforms import DATE_INPUT_ATTRS
from portal.notifications import panels as notification_panels
from portal.patents.labels import patent_label, patents_of_technology
from portal.patents.links import register_links
from portal.royalties.panels import royalty_panel


def init_app(app: Flask) -> None:
    """Register the template globals of every domain."""
    for function in (
        catalog_label,
        trl_meaning,
        key_figures,
        inquiry_status_form,
        agreement_label,
        agreement_choices,
        dataset_label,
        dataset_choices,
        soh_text,
        patent_label,
        technology_jsonld,
        urlencode_args,
        dataset_jsonld,
        register_links,
        licensing_label,
        audit_action_label,
        localized,
        # Reads the database (one query per panel): the datasets on other domains' pages.
        panels.public_datasets_for,
        panels.datasets_shared_with_me,
        panels.datasets_for_evidence,
        panels.evidence_dataset_check,
        patents_of_technology,
        royalty_panel,
        panels.claim_checks_for,
        panels.contradicted_claims,
        notification_panels.my_notifications,
    ):
        app.add_template_global(function)
    # The one set of attributes for a typed DD-MM-YYYY date (forms get it from PortalDateField).
    app.add_template_global(DATE_INPUT_ATTRS, "date_input_attrs")
