"""Time-based one-time passwords (RFC 6238) for the second factor, with replay protection."""

from __future__ import annotations

import time

import pyotp
import segno

ISSUER = "CoE Battery Portal"
STEP_SECONDS = 30


def new_secret() -> str:
    """A fresh random base32 secret."""
    return pyotp.random_base32()


def provisioning_uri(email: str, secret: str) -> str:
    """The otpauth:// URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """The URI as an SVG QR code in a data: URI (allowed by the CSP's img-src)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def matching_step(secret: str, code: str, *, now: float | None = None) -> int | None:
    """The time step a 6-digit code belongs to (±1 step of clock drift), or None."""
    code = (code or "").strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    moment = time.time() if now is None else now
    totp = pyotp.TOTP(secret)
    current = int(moment // STEP_SECONDS)
    for step in (current, current - 1, current + 1):
        if totp.at(step * STEP_SECONDS) == code:
            return step
    return None
