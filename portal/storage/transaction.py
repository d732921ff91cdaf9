"""Stored objects that follow the database transaction they belong to.

An object written for a record is deleted again if the transaction rolls back (the record never
existed); the object of a deleted record is removed only once the delete commits. Every domain
registers its keys here, so a refused request leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import logging

from sqlalchemy import event
from sqlmodel import Session

from portal.storage.base import Storage

_WRITTEN = "storage_written"
_DOOMED = "storage_doomed"
_HOOKED = "storage_hooked"
log = logging.getLogger(__name__)


def remove_on_rollback(db: Session, store: Storage, *keys: str | None) -> None:
    """Delete these newly written objects if the current transaction rolls back."""
    _hook(db)
    db.info.setdefault(_WRITTEN, []).extend((store, k) for k in keys if k)


def remove_after_commit(db: Session, store: Storage, *keys: str | None) -> None:
    """Delete these objects once the transaction that forgets their records commits."""
    _hook(db)
    db.info.setdefault(_DOOMED, []).extend((store, k) for k in keys if k)


def _hook(db: Session) -> None:
    if db.info.get(_HOOKED):
        return
    db.info[_HOOKED] = True

    def committed(session):
        session.info.pop(_WRITTEN, None)
        for store, key in session.info.pop(_DOOMED, []):
            delete_quietly(store, key)

    def rolled_back(session, previous_transaction):
        if previous_transaction.nested:
            return  # a savepoint: the outer transaction may still commit these objects
        session.info.pop(_DOOMED, None)
        for store, key in session.info.pop(_WRITTEN, []):
            delete_quietly(store, key)

    event.listen(db, "after_commit", committed)
    event.listen(db, "after_soft_rollback", rolled_back)


def delete_quietly(store: Storage, key: str) -> None:
    """Delete an object during cleanup; a failure is logged, never raised over the real outcome."""
    with contextlib.suppress(ValueError):
        try:
            store.delete(key)
        except Exception:  # any backend error: the object stays, and the log says so
            log.warning("could not delete stored object %s", key, exc_info=True)
