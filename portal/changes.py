"""The one audited update: check the version, snapshot, set, bump, flush, record the diff.

Every edit of a record goes through ``apply_changes`` (or, when the change needs more than
setting attributes, the ``audited_change`` block it is built on), so a stale form is always a
conflict, only allowed fields are ever set, and the audit log always holds before and after.
A new record goes in through ``add_audited`` and leaves through ``delete_audited``, so it
never exists, or goes, without its audit entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlmodel import Session

from portal.audit.services import diff, record
from portal.db import utcnow
from portal.errors import ConflictError

Related = Mapping[str, Callable[[], Any]]
# What an insert records: the values, or a function of the flushed record (for its new id).
Recorded = Mapping[str, Any] | Callable[[Any], Mapping[str, Any]] | None


def allowed_names(allowed: Iterable[str] | type) -> frozenset[str]:
    """Field names from a list or from a model/schema class (its fields are the allow-list)."""
    fields = getattr(allowed, "model_fields", None)
    return frozenset(fields if fields is not None else allowed)


def is_versioned(obj: Any) -> bool:
    """Whether the record carries a version column (optimistic locking)."""
    return "version" in type(obj).model_fields


def check_version(obj: Any, submitted: int | str | None) -> None:
    """Refuse a change made on a stale copy; a missing version counts as stale."""
    if not is_versioned(obj):
        return
    try:
        current = int(submitted) == obj.version if submitted is not None else False
    except (TypeError, ValueError):
        current = False
    if not current:
        raise ConflictError()


def snapshot(obj: Any, names: Iterable[str], related: Related | None = None) -> dict[str, Any]:
    """The values of ``names`` on ``obj`` plus the ``related`` values (computed now)."""
    values = {name: getattr(obj, name) for name in sorted(names)}
    for name, read in (related or {}).items():
        values[name] = read()
    return values


def touch(obj: Any) -> None:
    """Mark a record as changed: next version, new updated_at (where the model has them)."""
    fields = type(obj).model_fields
    if "version" in fields:
        obj.version += 1
    if "updated_at" in fields:
        obj.updated_at = utcnow()


@contextmanager
def audited_change(
    db: Session,
    obj: Any,
    *,
    version: int | str | None,
    action: str,
    watch: Iterable[str],
    related: Related | None = None,
    actor: Any = None,
    label: str | None = None,
    note: Mapping[str, Any] | None = None,
    on: Any = None,
) -> Iterator[dict[str, Any]]:
    """Around a block that changes ``obj``: version check before, bump + flush + audit after.

    Yields the dict of changes that will be recorded, so the block may add to it. The entry is
    filed under ``on`` when given (a grant's revocation under its dataset), else under ``obj``.
    """
    check_version(obj, version)
    names = tuple(watch)
    before = snapshot(obj, names, related)
    extra: dict[str, Any] = dict(note or {})
    yield extra
    touch(obj)
    db.add(obj)
    db.flush()
    changes = diff(before, snapshot(obj, names, related))
    changes.update(extra)
    record(db, action, obj if on is None else on, changes=changes, actor=actor, label=label)


def apply_changes(
    db: Session,
    obj: Any,
    changes: Mapping[str, Any],
    *,
    allowed: Iterable[str] | type,
    version: int | str | None,
    action: str,
    related: Related | None = None,
    actor: Any = None,
    label: str | None = None,
    note: Mapping[str, Any] | None = None,
    also: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Set the allowed ``changes`` on ``obj`` as one audited, version-checked edit.

    Keys outside ``allowed`` are ignored (a form cannot set what it does not offer). ``also``
    runs inside the same edit, after the fields are set, for changes to linked rows that
    ``related`` reads (an agreement's technologies). Returns the values that were set.
    """
    names = allowed_names(allowed)
    wanted = {name: value for name, value in changes.items() if name in names}
    with audited_change(
        db,
        obj,
        version=version,
        action=action,
        watch=names & set(type(obj).model_fields),
        related=related,
        actor=actor,
        label=label,
        note=note,
    ):
        for name, value in wanted.items():
            setattr(obj, name, value)
        if also is not None:
            also()
    return wanted


def add_audited(
    db: Session,
    obj: Any,
    action: str,
    *,
    on: Any = None,
    changes: Recorded = None,
    actor: Any = None,
    label: str | None = None,
) -> Any:
    """Insert a new record with its audit entry: add, flush (it has its id now), record.

    The entry is filed under ``on`` when given (a document under its agreement), else under
    the new record itself.
    """
    db.add(obj)
    db.flush()
    recorded = changes(obj) if callable(changes) else changes
    target = obj if on is None else on
    record(
        db,
        action,
        target,
        changes=dict(recorded) if recorded is not None else None,
        actor=actor,
        label=label,
    )
    return obj


def delete_audited(
    db: Session,
    obj: Any,
    action: str,
    *,
    on: Any = None,
    changes: Mapping[str, Any] | None = None,
    actor: Any = None,
) -> None:
    """Remove a record with its audit entry: record (while it still has its id), delete, flush.

    The entry is filed under ``on`` when given (an unlinked claim under its technology), else
    under the record itself, whose entries stay readable in the log after it is gone.
    """
    record(db, action, obj if on is None else on, changes=changes, actor=actor)
    db.delete(obj)
    db.flush()
