"""Human labels of the agreements' codes, for templates and mails (declared once, on the models)."""

from __future__ import annotations

from portal.vocabulary import (
    AgreementKind,
    AgreementStatus,
    ChangeKind,
    Choices,
    Exclusivity,
    MilestoneKind,
    MilestoneOwner,
    MilestoneStatus,
    RoyaltyPeriod,
)

# "status" reads an agreement's or a milestone's status (the two sets share no code), so one
# status tag serves both; "agreement_status" and "milestone_status" list one set each.
VOCABULARIES: dict[str, tuple[type[Choices], ...]] = {
    "kind": (AgreementKind,),
    "status": (AgreementStatus, MilestoneStatus),
    "agreement_status": (AgreementStatus,),
    "exclusivity": (Exclusivity,),
    "change_kind": (ChangeKind,),
    "milestone_kind": (MilestoneKind,),
    "milestone_status": (MilestoneStatus,),
    "owner": (MilestoneOwner,),
    "royalty_period": (RoyaltyPeriod,),
}


def agreement_label(vocabulary: str, code) -> str:
    """The human label of an agreement or milestone code (kind, status, owner, ...)."""
    text = str(code if code is not None else "")
    for choices in VOCABULARIES.get(vocabulary, ()):
        if text in choices.values():
            return choices.label_of(text)
    return text


def status_in_words(code) -> str:
    """A status as it reads inside a sentence ("in negotiation", "active")."""
    return agreement_label("status", code).lower()


def agreement_choices(vocabulary: str) -> list[tuple[str, object]]:
    """(code, label) pairs of one vocabulary, for filter menus."""
    return [pair for choices in VOCABULARIES.get(vocabulary, ()) for pair in choices.choices()]
