"""Routes of an association's record: read by tier, create, patch, status changes and history."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.ngo_registry.access import Admin, CurrentAssociation, Reader, Tier, caller_tier, filter_tier
from services.ngo_registry.categories.service import load_labels
from services.ngo_registry.dependencies import Settings
from services.ngo_registry.records import service
from services.ngo_registry.records.schemas import (
    AssociationCreate,
    AssociationFields,
    AssociationRecord,
    HistoryOut,
    StatusChangeIn,
    StatusChangeResult,
)
from services.ngo_registry.records.status_changes import record_status_change
from services.ngo_registry.records.views import association_record
from shared.db import SessionDep
from shared.errors import Forbidden
from shared.exports import today_vn
from shared.types import Id

router = APIRouter(prefix="/api/v1/ngo", tags=["ngo"])


@router.get("/public/associations/{association_id}", summary="Public general information on one association (G14 a, G15)", response_model=AssociationRecord, response_model_exclude_unset=True)
def public_association(assoc: CurrentAssociation, session: SessionDep, settings: Settings) -> AssociationRecord:
    record = association_record(session=session, assoc=assoc, labels=load_labels(session=session), rules=settings.rules, today=today_vn())
    return filter_tier(record, Tier.PUBLIC)


@router.post("/associations", status_code=201, summary="Create a record (NGO Department staff)", response_model=AssociationRecord, response_model_exclude_unset=True)
def association_create(request: Request, principal: Admin, body: AssociationCreate, session: SessionDep, settings: Settings) -> AssociationRecord:
    today = today_vn()
    written = service.create_association(session=session, principal=principal, data=body, source="staff", rules=settings.rules, today=today, route=request.url.path)
    record = association_record(session=session, assoc=written.assoc, labels=load_labels(session=session), rules=settings.rules, today=today)
    record.tier, record.warnings = "full", written.warnings
    return record


@router.get("/associations/{association_id}", summary="One record, with the fields of the caller's tier", response_model=AssociationRecord, response_model_exclude_unset=True)
def association_get(principal: Reader, assoc: CurrentAssociation, session: SessionDep, settings: Settings) -> AssociationRecord:
    record = association_record(session=session, assoc=assoc, labels=load_labels(session=session), rules=settings.rules, today=today_vn())
    return filter_tier(record, caller_tier(principal, association_id=assoc.id))


@router.patch("/associations/{association_id}", summary="Edit and supplement a record (advanced tier); collections given are replaced", response_model=AssociationRecord, response_model_exclude_unset=True)
def association_update(request: Request, principal: Admin, association_id: Id, body: AssociationFields, session: SessionDep, settings: Settings) -> AssociationRecord:
    # the classified-marking guard runs before the record is loaded: a marked payload is refused
    # and audited even for an id that names nothing, so the id is loaded by the service
    today = today_vn()
    written = service.update_association(session=session, principal=principal, association_id=association_id, data=body, source="staff", rules=settings.rules, today=today, route=request.url.path)
    record = association_record(session=session, assoc=written.assoc, labels=load_labels(session=session), rules=settings.rules, today=today)
    record.tier, record.changed_fields, record.warnings = "full", written.changed, written.warnings
    return record


@router.post("/associations/{association_id}/status-changes", status_code=201, summary="Record a rename, division, split-off, merger, consolidation or dissolution", response_model=StatusChangeResult, response_model_exclude_unset=True)
def association_status_change(principal: Admin, association_id: Id, body: StatusChangeIn, session: SessionDep, settings: Settings) -> StatusChangeResult:
    today = today_vn()
    change, warnings = record_status_change(session=session, principal=principal, association_id=association_id, data=body, rules=settings.rules, today=today)
    assoc = service.get_association(session=session, association_id=association_id)
    record = association_record(session=session, assoc=assoc, labels=load_labels(session=session), rules=settings.rules, today=today)
    if warnings:
        record.warnings = warnings
    return StatusChangeResult(status_change_id=change.id or 0, association=record)


@router.get("/associations/{association_id}/history", summary="Every version of a record", response_model=HistoryOut, response_model_exclude_unset=True)
def association_history(principal: Reader, association_id: Id, session: SessionDep) -> HistoryOut:
    # the tier is checked before the record is looked up: without the tier, no id says whether it exists
    if caller_tier(principal, association_id=association_id) < Tier.ADVANCED:
        raise Forbidden("A record's history needs ngo:read:advanced (or is the association's own).")
    service.get_association(session=session, association_id=association_id)
    versions = service.history(session=session, association_id=association_id)
    return HistoryOut(association_id=association_id, count=len(versions), items=versions)
