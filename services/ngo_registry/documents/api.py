"""Routes of Party and State documents (G14 m); every one is for the NGO Department (ngo:admin).

Readers get the same documents as the metered list (m) under /lists/party-documents, as the
gateway's table says.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from services.ngo_registry.access import Admin, CurrentDocument, current_document
from services.ngo_registry.categories.service import load_labels
from services.ngo_registry.dependencies import Word
from services.ngo_registry.documents import service
from services.ngo_registry.documents.schemas import DocumentIn, DocumentOut, DocumentPatch
from shared.db import SessionDep
from shared.exports import today_vn
from shared.pagination import Page, PageParams
from shared.types import Id

router = APIRouter(prefix="/api/v1/ngo", tags=["ngo"])


@router.get("/documents", summary="Party and State documents", response_model=Page[DocumentOut], response_model_exclude_unset=True)
def documents(_: Admin, session: SessionDep, paging: PageParams, document_type: Word | None = None) -> Page[DocumentOut]:
    count, rows = service.list_documents(session=session, document_type=document_type, limit=paging.limit, offset=paging.offset)
    labels = load_labels(session=session)
    return Page[DocumentOut].of(paging, results=[service.document_out(d, labels) for d in rows], count=count)


@router.get("/documents/{document_id}", summary="One document", response_model=DocumentOut, response_model_exclude_unset=True)
def document_get(_: Admin, doc: CurrentDocument, session: SessionDep) -> DocumentOut:
    return service.document_out(doc, load_labels(session=session))


@router.post("/documents", status_code=201, summary="Add a document", response_model=DocumentOut, response_model_exclude_unset=True)
def document_create(request: Request, principal: Admin, body: DocumentIn, session: SessionDep) -> DocumentOut:
    doc = service.create_document(session=session, principal=principal, data=body, route=request.url.path, today=today_vn())
    return service.document_out(doc, load_labels(session=session))


@router.patch("/documents/{document_id}", summary="Edit a document", response_model=DocumentOut, response_model_exclude_unset=True)
def document_update(request: Request, principal: Admin, document_id: Id, body: DocumentPatch, session: SessionDep) -> DocumentOut:
    # the body is validated before the document is looked up (a bad body is a 422 for any id)
    doc = current_document(document_id, session)
    doc = service.update_document(session=session, principal=principal, doc=doc, data=body, route=request.url.path, today=today_vn())
    return service.document_out(doc, load_labels(session=session))


@router.delete("/documents/{document_id}", status_code=204, summary="Remove a document")
def document_delete(_: Admin, doc: CurrentDocument, session: SessionDep) -> Response:
    service.delete_document(session=session, doc=doc)
    return Response(status_code=204)
