"""Write audit entries inside the caller's transaction, with secrets scrubbed."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlmodel import Session

from portal.audit.models import AuditEntry

_SECRET_KEY = re.compile(r"password|token|secret|cookie|csrf|hash|totp", re.IGNORECASE)
REDACTED = "[redacted]"


def _plain(value: Any) -> Any:
    """Make a value JSON-friendly (dates, enums, decimals)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return scrub(value)
    return value


def scrub(values: dict[str, Any] | None) -> dict[str, Any]:
    """Copy a dict with every secret-looking key replaced by a marker."""
    return {
        key: (REDACTED if _SECRET_KEY.search(key) else _plain(value))
        for key, value in (values or {}).items()
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Only the keys that changed, as {"before": {...}, "after": {...}}."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {
        "before": scrub({k: before.get(k) for k in keys}),
        "after": scrub({k: after.get(k) for k in keys}),
    }


def client_ip() -> str:
    """The requesting IP (ProxyFix has already applied X-Forwarded-For when configured)."""
    return (request.remote_addr or "")[:45] if has_request_context() else ""


def record(
    db: Session,
    action: str,
    target: Any = None,
    *,
    changes: dict[str, Any] | None = None,
    actor: Any = None,
    label: str | None = None,
) -> AuditEntry:
    """Add an audit entry to the session; it commits or rolls back with the change it describes."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        # A request nobody signed in to is "anonymous"; commands and jobs are "system".
        actor_label=getattr(actor, "email", None)
        or ("anonymous" if has_request_context() else "system"),
        ip=client_ip(),
        action=action,
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=str(getattr(target, "id", "") or ""),
        target_label=(label or _label_of(target))[:300],
        changes=scrub(changes),
    )
    db.add(entry)
    return entry


def _label_of(target: Any) -> str:
    for attr in ("reference", "slug", "email", "name", "title"):
        value = getattr(target, attr, None)
        if value:
            return str(value)
    return ""
