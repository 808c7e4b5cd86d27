"""Party and State documents on associations (G14 m): kept by the NGO Department, listed in (m)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from services.ngo_registry.categories.service import Labels, load_labels
from services.ngo_registry.database import utcnow
from services.ngo_registry.documents.models import PartyDocument
from services.ngo_registry.documents.schemas import DocumentIn, DocumentOut, DocumentPatch
from services.ngo_registry.records.classified import refuse_if_classified
from shared.auth import Principal
from shared.errors import InvalidInput


def document_row(doc: PartyDocument, labels: Labels) -> dict[str, Any]:
    """A document as a row of list (m), dates as dates (the exports format them)."""
    return {
        "id": doc.id,
        "number": doc.number,
        "title": doc.title,
        "document_type": doc.document_type_code,
        "document_type_label": labels.text("document_type", doc.document_type_code),
        "issuer": doc.issuer,
        "issued_on": doc.issued_on,
        "effective_on": doc.effective_on,
        "summary": doc.summary,
    }


def document_out(doc: PartyDocument, labels: Labels) -> DocumentOut:
    """A document as the API answers it."""
    row = document_row(doc, labels)
    row["issued_on"] = doc.issued_on.isoformat() if doc.issued_on else None
    row["effective_on"] = doc.effective_on.isoformat() if doc.effective_on else None
    return DocumentOut(**row)


def list_documents(*, session: Session, document_type: str | None, limit: int, offset: int) -> tuple[int, list[PartyDocument]]:
    """Documents, newest first, optionally of one type, and how many there are."""
    query = select(PartyDocument)
    if document_type:
        query = query.where(PartyDocument.document_type_code == document_type)
    count = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(PartyDocument.issued_on).desc(), col(PartyDocument.id)).limit(limit).offset(offset)).all()
    return int(count), list(rows)


def _check_document(*, session: Session, principal: Principal, data: DocumentIn | DocumentPatch, route: str, today: date) -> None:
    """Refuse classified content, unknown document types and future issue dates."""
    refuse_if_classified(session=session, principal=principal, payload=data.model_dump(mode="json", exclude_unset=True), route=route)
    doc_type = data.document_type
    if doc_type is not None and doc_type not in load_labels(session=session).active.get("document_type", set()):
        raise InvalidInput(f"unknown document_type code '{doc_type}'.", errors=[{"field": "document_type", "message": "see /api/v1/ngo/categories/document_type"}])
    if data.issued_on and data.issued_on > today:
        raise InvalidInput("issued_on is in the future.", errors=[{"field": "issued_on", "message": "in the future"}])


def create_document(*, session: Session, principal: Principal, data: DocumentIn, route: str, today: date) -> PartyDocument:
    """Add a document."""
    _check_document(session=session, principal=principal, data=data, route=route, today=today)
    doc = PartyDocument(
        number=data.number,
        title=data.title,
        document_type_code=data.document_type,
        issuer=data.issuer,
        issued_on=data.issued_on,
        effective_on=data.effective_on,
        summary=data.summary,
    )
    session.add(doc)
    session.flush()
    return doc


def update_document(*, session: Session, principal: Principal, doc: PartyDocument, data: DocumentPatch, route: str, today: date) -> PartyDocument:
    """Apply a patch to a document (the classification, always empty, is never stored)."""
    _check_document(session=session, principal=principal, data=data, route=route, today=today)
    for key, value in data.changes().items():
        if key == "classification":
            continue
        setattr(doc, "document_type_code" if key == "document_type" else key, value)
    doc.updated_at = utcnow()
    session.add(doc)
    session.flush()
    return doc


def delete_document(*, session: Session, doc: PartyDocument) -> None:
    """Remove a document."""
    session.delete(doc)
    session.flush()
