"""Request and response models of the ngo_registry service."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

NonNegInt = Field(ge=0)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LeaderIn(_In):
    role: str = Field(min_length=1, max_length=60, description="leader_role category code")
    full_name: str = Field(min_length=1, max_length=300)
    from_date: date | None = None
    to_date: date | None = None


class CongressIn(_In):
    kind: str = Field(min_length=1, max_length=60, description="congress_kind category code")
    held_on: date
    term_number: int | None = Field(default=None, ge=0)
    term_years: int | None = Field(default=None, ge=1, description="term length in years (at most the legal maximum)")
    delegates: int | None = Field(default=None, ge=0)


class MemberCountIn(_In):
    as_of: date
    member_type: str = Field(min_length=1, max_length=60)
    count: int = Field(ge=0)


class StaffIn(_In):
    year: int = Field(ge=1900, le=2200)
    staff: int = Field(ge=0)


class FundingIn(_In):
    year: int = Field(ge=1900, le=2200)
    source: str = Field(min_length=1, max_length=60)
    amount_vnd: int = Field(ge=0, description="VND, an integer")


class UnitIn(_In):
    kind: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=500)
    address: str | None = Field(default=None, max_length=500)
    decision_number: str | None = Field(default=None, max_length=100)


class AssociationFields(_In):
    """Every field of the Form 1 record; all optional (a patch)."""

    name_vi: str | None = Field(default=None, min_length=1, max_length=500)
    name_foreign: str | None = Field(default=None, max_length=500)
    abbreviation: str | None = Field(default=None, max_length=100)
    name_type: str | None = Field(default=None, max_length=60)
    scope: str | None = Field(default=None, max_length=60)
    purpose: str | None = Field(default=None, max_length=20000)
    field: str | None = Field(default=None, max_length=60)
    managing_agency: str | None = Field(default=None, max_length=60)
    nature: str | None = Field(default=None, max_length=60)
    special_status: bool | None = None
    founding_decision_number: str | None = Field(default=None, max_length=100)
    founding_decision_date: date | None = None
    founding_decision_issuer: str | None = Field(default=None, max_length=300)
    charter_decision_number: str | None = Field(default=None, max_length=100)
    charter_approval_date: date | None = None
    office_address: str | None = Field(default=None, max_length=500)
    office_phone: str | None = Field(default=None, max_length=50)
    office_area_m2: float | None = Field(default=None, ge=0)
    office_origin: str | None = Field(default=None, max_length=60)
    dossier_number: str | None = Field(default=None, max_length=100)
    dossier_location: str | None = Field(default=None, max_length=300)
    dossier_reconciled_on: date | None = None
    classification: str | None = Field(default=None, max_length=30, description="must be empty: classified information is refused")
    leaders: list[LeaderIn] | None = None
    congresses: list[CongressIn] | None = None
    members: list[MemberCountIn] | None = None
    state_staff: list[StaffIn] | None = None
    funding: list[FundingIn] | None = None
    affiliated_units: list[UnitIn] | None = None


class AssociationCreate(AssociationFields):
    """A new record: the names and the five classifications are required."""

    name_vi: str = Field(min_length=1, max_length=500)
    name_type: str = Field(max_length=60)
    scope: str = Field(max_length=60)
    field: str = Field(max_length=60)
    managing_agency: str = Field(max_length=60)
    nature: str = Field(max_length=60)


class StatusChangeIn(_In):
    kind: str = Field(min_length=1, max_length=60, description="status_change_kind code")
    decision_number: str = Field(min_length=1, max_length=100)
    decision_date: date
    note: str | None = Field(default=None, max_length=5000)
    new_name_vi: str | None = Field(default=None, max_length=500, description="for a rename")
    predecessor_ids: list[int] = Field(default_factory=list)
    successor_ids: list[int] = Field(default_factory=list)


class CategoryIn(_In):
    code: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")
    label_vi: str = Field(min_length=1, max_length=300)
    position: int = 0


class CategoryPatch(_In):
    label_vi: str | None = Field(default=None, min_length=1, max_length=300)
    active: bool | None = None
    position: int | None = None


class ReviewIn(_In):
    decision: Literal["accept", "request_correction", "reject"]
    reason: str | None = Field(default=None, max_length=5000)


class DocumentIn(_In):
    number: str = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1, max_length=1000)
    document_type: str = Field(min_length=1, max_length=60)
    issuer: str = Field(min_length=1, max_length=300)
    issued_on: date
    effective_on: date | None = None
    summary: str | None = Field(default=None, max_length=20000)
    classification: str | None = Field(default=None, max_length=30)


class DocumentPatch(_In):
    number: str | None = Field(default=None, min_length=1, max_length=100)
    title: str | None = Field(default=None, min_length=1, max_length=1000)
    document_type: str | None = Field(default=None, min_length=1, max_length=60)
    issuer: str | None = Field(default=None, min_length=1, max_length=300)
    issued_on: date | None = None
    effective_on: date | None = None
    summary: str | None = Field(default=None, max_length=20000)
    classification: str | None = Field(default=None, max_length=30)


class FeeRateIn(_In):
    per_request_vnd: int = Field(ge=0)
    per_row_vnd: int = Field(ge=0)


class Page(BaseModel):
    """A page of a list."""

    count: int
    limit: int
    offset: int
    next: str | None
    items: list[dict[str, Any]]
