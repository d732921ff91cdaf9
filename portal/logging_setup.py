"""Application logging, with secrets in URLs and messages masked before anything is written."""

from __future__ import annotations

import logging
import re

# Secret-bearing paths and parameters: invitation links, calendar feeds, tokens and passwords.
_SECRET_PATTERNS = [
    (re.compile(r"(/invite/)[^/\s?\"']+"), r"\1[redacted]"),
    (re.compile(r"(/password/reset/)[^/\s?\"']+"), r"\1[redacted]"),
    (re.compile(r"(/account/email/confirm/)[^/\s?\"']+"), r"\1[redacted]"),
    (re.compile(r"(/calendar/)[^/\s?\"']+"), r"\1[redacted]"),
    (re.compile(r"btp_[A-Za-z0-9_\-]+"), "btp_[redacted]"),
    (
        re.compile(r"((?:token|password|secret|csrf_token)=)[^&\s\"']+", re.IGNORECASE),
        r"\1[redacted]",
    ),
    (re.compile(r"(Bearer\s+)\S+", re.IGNORECASE), r"\1[redacted]"),
    (re.compile(r"(Cookie:\s*)[^\r\n]+", re.IGNORECASE), r"\1[redacted]"),
]


def redact(text: str) -> str:
    """Mask every secret-looking part of a log line."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


# A record carrying this attribute set true is written as it is: only development's outbox
# (mail logged instead of sent, so its links can be followed) sets it.
UNREDACTED = "portal_unredacted"


class RedactSecrets(logging.Filter):
    """Rewrites each record's message with secrets masked (werkzeug and gunicorn access logs too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, UNREDACTED, False):
            return True
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """Send the portal's logs to standard error with the redaction filter on every handler."""
    root = logging.getLogger()
    if not any(isinstance(f, RedactSecrets) for h in root.handlers for f in h.filters):
        if not root.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(
                logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
            )
            root.addHandler(handler)
        for handler in root.handlers:
            handler.addFilter(RedactSecrets())
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error", "portal"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
