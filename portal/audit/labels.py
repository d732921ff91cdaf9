"""Human labels of audit action codes ("dataset.granted" reads "Dataset: access granted")."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SUBJECTS = {
    "agreement": _l("Agreement"),
    "api_token": _l("API token"),
    "calendar_feed": _l("Calendar feed"),
    "dataset": _l("Dataset"),
    "dataset_file": _l("Dataset file"),
    "feedback": _l("Feedback"),
    "inquiry": _l("Inquiry"),
    "milestone": _l("Milestone"),
    "organization": _l("Organisation"),
    "page": _l("Page"),
    "technology": _l("Technology"),
    "user": _l("User"),
}

VERBS = {
    "activated": _l("activated"),
    "api_tokens_revoked": _l("API tokens revoked"),
    "archived": _l("archived"),
    "converted": _l("converted into a partner"),
    "created": _l("created"),
    "deactivated": _l("deactivated"),
    "deleted": _l("deleted"),
    "document_added": _l("document added"),
    "document_downloaded": _l("document downloaded"),
    "downloaded": _l("downloaded"),
    "email_change_requested": _l("e-mail change requested"),
    "email_changed": _l("e-mail changed"),
    "evidence_downloaded": _l("evidence downloaded"),
    "evidence_submitted": _l("evidence submitted"),
    "expired": _l("expired"),
    "expiry_reminded": _l("expiry reminder sent"),
    "file_added": _l("file added"),
    "file_deleted": _l("file deleted"),
    "file_reingested": _l("file re-ingested"),
    "grant_revoked": _l("access revoked"),
    "granted": _l("access granted"),
    "invitation_accepted": _l("invitation accepted"),
    "invited": _l("invited"),
    "logged_in": _l("signed in"),
    "login_failed": _l("sign-in failed"),
    "note_added": _l("note added"),
    "password_changed": _l("password changed"),
    "password_reset": _l("password reset"),
    "password_reset_requested": _l("password reset requested"),
    "published": _l("published"),
    "reinvited": _l("invited again"),
    "reminder_sent": _l("reminder sent"),
    "revoked": _l("revoked"),
    "sessions_ended": _l("sessions ended"),
    "status_changed": _l("status changed"),
    "totp_disabled": _l("two-step sign-in turned off"),
    "totp_enabled": _l("two-step sign-in turned on"),
    "totp_replaced": _l("two-step sign-in replaced"),
    "totp_reset": _l("two-step sign-in reset"),
    "unarchived": _l("restored from the archive"),
    "unlocked": _l("unlocked"),
    "unpublished": _l("unpublished"),
    "updated": _l("updated"),
}


def audit_action_label(code: str) -> str:
    """The label of an audit action; an unknown code reads as words, never as a dotted code."""
    subject, _dot, verb = str(code or "").partition(".")
    subject_text = SUBJECTS.get(subject) or subject.replace("_", " ").capitalize()
    verb_text = VERBS.get(verb) or verb.replace("_", " ")
    return f"{subject_text}: {verb_text}" if verb_text else str(subject_text)
