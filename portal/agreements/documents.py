"""Agreement documents: each upload is a new numbered version (signed copy, amendment); audited."""

from __future__ import annotations

from typing import IO, Any

from flask_babel import gettext as _
from sqlmodel import Session, func, select

from portal import uploads
from portal.agreements.models import Agreement, AgreementDocument
from portal.audit.services import record
from portal.changes import add_audited

KIND = "agreements"  # storage keys are agreements/<stored_name>


def add_document(
    db: Session,
    agreement: Agreement,
    stream: IO[bytes],
    original_filename: str,
    *,
    title: str = "",
    uploaded_by: Any = None,
) -> AgreementDocument:
    """Store a new version of an agreement's document (size and type checked); audited."""
    stored = uploads.store_document(db, stream, KIND)
    latest = db.exec(
        select(func.max(AgreementDocument.version)).where(
            AgreementDocument.agreement_id == agreement.id
        )
    ).one()
    document = AgreementDocument(
        agreement_id=agreement.id,
        version=(latest or 0) + 1,
        title=(title or "").strip()[:200] or _("Agreement document"),
        stored_name=stored.stored_name,
        original_filename=uploads.display_name(original_filename),
        content_type=stored.content_type,
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        uploaded_by_id=getattr(uploaded_by, "id", None),
    )
    return add_audited(
        db,
        document,
        "agreement.document_added",
        on=agreement,
        changes=lambda document: {
            "document_id": document.id,
            "version": document.version,
            "title": document.title,
            "filename": document.original_filename,
            "content_type": document.content_type,
            "size_bytes": document.size_bytes,
            "sha256": document.sha256,
        },
    )


def record_document_download(
    db: Session, document: AgreementDocument, agreement: Agreement
) -> None:
    """Audit that a document was downloaded (who, from where, which version)."""
    record(
        db,
        "agreement.document_downloaded",
        agreement,
        changes={"document_id": document.id, "version": document.version},
    )
