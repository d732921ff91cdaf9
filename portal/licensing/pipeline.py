"""The staff pipeline of a licence application: the one table of legal steps, and the message the
applicant reads with each step unless staff write their own."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.transitions import Chain
from portal.vocabulary import Stage

S = Stage

STEPS: dict[str, tuple[str, ...]] = {
    S.RECEIVED: (S.UNDER_REVIEW, S.DECLINED),
    S.UNDER_REVIEW: (S.TERM_SHEET_SENT, S.DECLINED),
    S.TERM_SHEET_SENT: (S.NEGOTIATION, S.DECLINED),
    S.NEGOTIATION: (S.APPROVED, S.DECLINED),
    S.APPROVED: (),
    S.DECLINED: (),
}


def stage_in_words(stage: str) -> str:
    """A stage as it reads inside a sentence ("under review")."""
    return Stage.label_of(stage).lower()


PIPELINE = Chain(
    STEPS,
    stage_in_words,
    _l("An application that is %(current)s cannot become %(target)s."),
    unknown=_l("Unknown stage."),
)
OPEN_STAGES = (S.RECEIVED, S.UNDER_REVIEW, S.TERM_SHEET_SENT, S.NEGOTIATION)

DEFAULT_MESSAGES = {
    S.RECEIVED: _l("Thank you: your application is received. We will review it shortly."),
    S.UNDER_REVIEW: _l("Your application is under review by the technology-transfer team."),
    S.TERM_SHEET_SENT: _l(
        "We have sent you a term sheet. Please read it and tell us what you think."
    ),
    S.NEGOTIATION: _l("We are now negotiating the licence terms with you."),
    S.APPROVED: _l("Your application is approved. A draft licence agreement is being prepared."),
    S.DECLINED: _l("We are unable to offer a licence at this time."),
}


def next_stages(stage: str) -> tuple[str, ...]:
    """Where an application in `stage` may go next."""
    return PIPELINE.next_from(stage)
