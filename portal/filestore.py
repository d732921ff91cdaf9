"""Files on disk that follow the database transaction they belong to.

A file written for a record is deleted again if the transaction rolls back (the record never
existed); the file of a deleted record is removed only once the delete commits. Every domain that
stores uploads under DATA_DIR registers its paths here, so a refused request leaves nothing behind.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from sqlalchemy import event
from sqlmodel import Session

_WRITTEN = "filestore_written"
_DOOMED = "filestore_doomed"
_HOOKED = "filestore_hooked"


def remove_on_rollback(db: Session, *paths: Path | None) -> None:
    """Delete these newly written files if the current transaction rolls back."""
    _hook(db)
    db.info.setdefault(_WRITTEN, []).extend(p for p in paths if p)


def remove_after_commit(db: Session, *paths: Path | None) -> None:
    """Delete these files once the transaction that forgets their records commits."""
    _hook(db)
    db.info.setdefault(_DOOMED, []).extend(p for p in paths if p)


def _hook(db: Session) -> None:
    if db.info.get(_HOOKED):
        return
    db.info[_HOOKED] = True

    def committed(session):
        session.info.pop(_WRITTEN, None)
        for path in session.info.pop(_DOOMED, []):
            _unlink(path)

    def rolled_back(session, previous_transaction):
        if previous_transaction.nested:
            return  # a savepoint: the outer transaction may still commit these files
        session.info.pop(_DOOMED, None)
        for path in session.info.pop(_WRITTEN, []):
            _unlink(path)

    event.listen(db, "after_commit", committed)
    event.listen(db, "after_soft_rollback", rolled_back)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
