"""Request and response models of the fees for value-added data (G8)."""

from __future__ import annotations

from pydantic import Field

from services.ngo_registry.schemas import MAX_VND, In, Out


class FeeRateIn(In):
    per_request_vnd: int = Field(ge=0, le=MAX_VND)
    per_row_vnd: int = Field(ge=0, le=MAX_VND)


# -- responses -------------------------------------------------------------------------------
# Routes that use these set ``response_model_exclude_unset``: a field the caller's tier may not
# read is left out of the answer (not sent as null), exactly as the service builds it. Dates
# and times are the ISO strings the service writes.


class FeeRateOut(Out):
    dataset: str
    label: str
    per_request_vnd: int
    per_row_vnd: int
    currency: str


class FeeScheduleOut(Out):
    currency: str
    count: int
    items: list[FeeRateOut]


class FeeLine(Out):
    dataset: str
    label: str
    requests: int
    rows: int
    amount_vnd: int


class FeeStatementOut(Out):
    org: str
    month: str
    currency: str
    grants: list[str]
    lines: list[FeeLine]
    total_vnd: int
