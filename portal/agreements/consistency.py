"""Dates that contradict each other on an agreement and its milestones: the ones refused outright
(services call `check_agreement_dates`) and the ones staff are warned about (`date_warnings`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.agreements.models import Agreement, Milestone
from portal.errors import ServiceError
from portal.formatting import format_date


def check_agreement_dates(fields: Mapping[str, Any]) -> None:
    """Refuse agreement dates that cannot all be true (raises ServiceError)."""
    signed_on, effective_on, expires_on = (
        fields.get("signed_on"),
        fields.get("effective_on"),
        fields.get("expires_on"),
    )
    if effective_on and expires_on and expires_on < effective_on:
        raise ServiceError(_("The expiry date cannot be before the effective date."))
    if signed_on and expires_on and signed_on > expires_on:
        raise ServiceError(_("An agreement cannot be signed after it expires."))


# How a milestone's due date can sit outside its agreement's dates, each said with the date.
DUE_BEFORE_SIGNED = _l("“%(title)s” is due on %(due)s, before the agreement was signed (%(on)s).")
DUE_BEFORE_EFFECTIVE = _l(
    "“%(title)s” is due on %(due)s, before the agreement takes effect (%(on)s)."
)
DUE_AFTER_EXPIRY = _l("“%(title)s” is due on %(due)s, after the agreement expires (%(on)s).")


def milestone_warnings(agreement: Agreement, milestone: Milestone) -> list[str]:
    """What is odd about one milestone's due date against its agreement's dates."""
    due = milestone.due_on
    starts = (
        (agreement.signed_on, DUE_BEFORE_SIGNED),
        (agreement.effective_on, DUE_BEFORE_EFFECTIVE),
    )
    # Due before signing says all there is; before taking effect is said only when it is not.
    odd = [(day, sentence) for day, sentence in starts if day and due < day][:1]
    if agreement.expires_on and due > agreement.expires_on:
        odd.append((agreement.expires_on, DUE_AFTER_EXPIRY))
    return [
        str(sentence) % {"title": milestone.title, "due": format_date(due), "on": format_date(day)}
        for day, sentence in odd
    ]


def date_warnings(agreement: Agreement, milestones: Iterable[Milestone]) -> list[str]:
    """Every date warning on the agreement page (shown to staff above the milestones)."""
    warnings = []
    if (
        agreement.signed_on
        and agreement.effective_on
        and agreement.signed_on > agreement.effective_on
    ):
        warnings.append(
            _(
                "The agreement takes effect (%(on)s) before it was signed (%(signed)s).",
                on=format_date(agreement.effective_on),
                signed=format_date(agreement.signed_on),
            )
        )
    for milestone in milestones:
        warnings.extend(milestone_warnings(agreement, milestone))
    return warnings


def completion_problem(agreement: Agreement, open_milestones: int, today: date) -> str | None:
    """Why the agreement cannot be marked completed today, or None when it can."""
    if agreement.effective_on and today < agreement.effective_on:
        return _(
            "An agreement cannot be completed before it takes effect (%(on)s).",
            on=format_date(agreement.effective_on),
        )
    if open_milestones:
        return _(
            "%(count)s milestone(s) are neither accepted nor waived: close them before completing the agreement.",
            count=open_milestones,
        )
    return None
