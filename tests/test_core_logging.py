"""Secrets in URLs and headers are masked before any log line is written."""

from __future__ import annotations

import logging

from portal.logging_setup import RedactSecrets, redact


def test_redact_masks_every_kind_of_secret():
    line = (
        "GET /invite/AbC-123_xyz HTTP/1.1 /calendar/s3cr3t.ics ?token=abc&password=hunter2 "
        "Authorization: Bearer btp_live_Token Cookie: portal_session=eyJ.abc"
    )
    cleaned = redact(line)
    for secret in ("AbC-123_xyz", "s3cr3t", "abc&", "hunter2", "btp_live_Token", "eyJ.abc"):
        assert secret not in cleaned
    assert "/invite/[redacted]" in cleaned


def test_filter_rewrites_werkzeug_style_access_lines():
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '%s - - "%s" %s',
        ("127.0.0.1", "GET /invite/tok3n HTTP/1.1", "200"),
        None,
    )
    assert RedactSecrets().filter(record)
    assert "tok3n" not in record.getMessage()
    assert "/invite/[redacted]" in record.getMessage()
