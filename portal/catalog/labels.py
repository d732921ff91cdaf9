"""Human labels of the catalog's codes, for templates, mails and exports."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from portal.catalog.models import Application, Category, InquiryStatus, InterestKind, Licensing
from portal.vocabulary import Chemistry

VOCABULARIES = {
    "chemistry": Chemistry,
    "category": Category,
    "application": Application,
    "licensing": Licensing,
    "interest": InterestKind,
    "status": InquiryStatus,
}
TRL_MEANING = {
    1: _l("Basic principles observed"),
    2: _l("Technology concept formulated"),
    3: _l("Experimental proof of concept"),
    4: _l("Technology validated in the lab"),
    5: _l("Technology validated in a relevant environment"),
    6: _l("Technology demonstrated in a relevant environment"),
    7: _l("System prototype demonstrated in an operational environment"),
    8: _l("System complete and qualified"),
    9: _l("Actual system proven in an operational environment"),
}

_translated: dict[str, dict[str, dict[str, str]]] = {}


def catalog_label(kind: str, value) -> str:
    """The human label of a catalog code (chemistry, category, status, ...)."""
    # Translated once per locale and process: a catalog page shows ~100 labels, and a gettext
    # lookup each time was a third of the page's rendering time.
    locale = str(get_locale() or "en")
    labels = _translated.get(locale)
    if labels is None:
        labels = {
            name: {code: str(text) for code, text in vocabulary.labels().items()}
            for name, vocabulary in VOCABULARIES.items()
        }
        _translated[locale] = labels
    return labels.get(kind, {}).get(str(value), str(value))


def trl_meaning(level: int) -> str:
    """What a technology readiness level means, in words."""
    return str(TRL_MEANING.get(level, ""))
