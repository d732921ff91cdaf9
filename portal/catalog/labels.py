"""Human labels of the catalog's codes, for templates, mails and exports."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from portal.vocabulary import (
    Application,
    Category,
    Chemistry,
    InquiryStatus,
    InterestKind,
    Licensing,
)

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

# The key figures a technology page and its sheet show, in order: (field, label, unit).
KEY_FIGURES = (
    ("specific_energy_wh_per_kg", _l("Specific energy"), "Wh/kg"),
    ("energy_density_wh_per_l", _l("Energy density"), "Wh/L"),
    ("cycle_life", _l("Cycle life (to 80 %)"), _l("cycles")),
    ("max_c_rate", _l("Maximum C-rate"), "C"),
    ("nominal_voltage_v", _l("Nominal voltage"), "V"),
    ("capacity_ah", _l("Capacity"), "Ah"),
    ("throughput_units_per_hour", _l("Throughput"), _l("units/hour")),
    ("indigenous_content_pct", _l("Indigenous content"), "%"),
)

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


def number_text(value: float | int) -> str:
    """A key figure as people write it: 160, not 160.0; 3.2 stays 3.2."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def key_figures(technology) -> list[tuple[str, str]]:
    """The technology's key figures that are set, as (label, "value unit") pairs."""
    from portal.formatting import format_inr

    rows = [
        (str(label), f"{number_text(value)} {unit}")
        for name, label, unit in KEY_FIGURES
        if (value := getattr(technology, name)) is not None
    ]
    if technology.cost_inr_per_kwh is not None:
        rows.append(
            (str(_l("Indicative cost")), f"{format_inr(technology.cost_inr_per_kwh)} / kWh")
        )
    return rows
