"""Routes of the fees for value-added data (G8): the schedule and an organisation's statement."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.ngo_registry.access import Admin, Reader
from services.ngo_registry.dependencies import Settings, Word
from services.ngo_registry.fees import service
from services.ngo_registry.fees.schemas import FeeRateIn, FeeRateOut, FeeScheduleOut, FeeStatementOut
from shared.db import SessionDep

router = APIRouter(prefix="/api/v1/ngo", tags=["ngo"])


@router.get("/fees/schedule", summary="The fee schedule in VND", response_model=FeeScheduleOut, response_model_exclude_unset=True)
def fee_schedule(_: Reader, session: SessionDep, settings: Settings) -> FeeScheduleOut:
    items = service.schedule(session=session, default_request=settings.fee_per_request_vnd, default_row=settings.fee_per_row_vnd)
    return FeeScheduleOut(currency="VND", count=len(items), items=items)


@router.put("/fees/schedule/{dataset}", summary="Set a dataset's price", response_model=FeeRateOut, response_model_exclude_unset=True)
def fee_set(_: Admin, dataset: Word, body: FeeRateIn, session: SessionDep) -> FeeRateOut:
    return service.set_rate(session=session, dataset=dataset, per_request_vnd=body.per_request_vnd, per_row_vnd=body.per_row_vnd)


@router.get("/fees/statement", summary="An organisation's metered value-added use in a month", response_model=FeeStatementOut, response_model_exclude_unset=True)
def fee_statement(principal: Reader, session: SessionDep, org: Word, month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]) -> FeeStatementOut:
    return service.statement(session=session, principal=principal, org=org, month=month)
