"""The staff pipeline of a licence application: the one table of legal steps, and the message the
applicant reads with each step unless staff write their own."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
    return STEPS.get(stage, ())
