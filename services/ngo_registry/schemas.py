"""Request and response models of the ngo_registry service.

Free text is :data:`shared.types.Text` (no control characters but tab and newline), names are
:data:`shared.types.Name`; ids are :data:`shared.types.Id`; counts, years and amounts have
bounds a person could mean, so hostile input is a 422 naming the field, never a 500.
PATCH bodies derive from :class:`shared.types.PatchModel`: ``null`` clears only the columns
listed in ``nullable``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.types import Id, Name, PatchModel, Text

NonNegInt = Field(ge=0)
#: a year the registry can mean (founding decisions go back to 1946)
MIN_YEAR, MAX_YEAR = 1900, 2200
#: the largest amount of VND accepted (10^15, a thousand trillion: far above any budget)
MAX_VND = 10**15
#: the largest head count accepted (members, delegates, staff)
MAX_PEOPLE = 10**9


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class LeaderIn(_In):
    role: Text = Field(min_length=1, max_length=60, description="leader_role category code")
    full_name: Name = Field(min_length=1, max_length=300)
    from_date: date | None = None
    to_date: date | None = None


class CongressIn(_In):
    kind: Text = Field(min_length=1, max_length=60, description="congress_kind category code")
    held_on: date
    term_number: int | None = Field(default=None, ge=0, le=1000)
    term_years: int | None = Field(default=None, ge=1, le=100, description="term length in years (at most the legal maximum)")
    delegates: int | None = Field(default=None, ge=0, le=MAX_PEOPLE)


class MemberCountIn(_In):
    as_of: date
    member_type: Text = Field(min_length=1, max_length=60)
    count: int = Field(ge=0, le=MAX_PEOPLE)


class StaffIn(_In):
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    staff: int = Field(ge=0, le=MAX_PEOPLE)


class FundingIn(_In):
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    source: Text = Field(min_length=1, max_length=60)
    amount_vnd: int = Field(ge=0, le=MAX_VND, description="VND, an integer")


class UnitIn(_In):
    kind: Text = Field(min_length=1, max_length=60)
    name: Name = Field(min_length=1, max_length=500)
    address: Text | None = Field(default=None, max_length=500)
    decision_number: Text | None = Field(default=None, max_length=100)


class AssociationFields(PatchModel):
    """Every field of the Form 1 record; all optional (a patch). ``null`` clears a nullable column."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)
    nullable: ClassVar[frozenset[str]] = frozenset(
        {
            "name_foreign", "abbreviation", "purpose", "founding_decision_number", "founding_decision_date",
            "founding_decision_issuer", "charter_decision_number", "charter_approval_date", "office_address",
            "office_phone", "office_area_m2", "office_origin", "dossier_number", "dossier_location",
            "dossier_reconciled_on", "classification",
            # a collection sent as null is emptied, like []
            "leaders", "congresses", "members", "state_staff", "funding", "affiliated_units",
        }
    )

    name_vi: Name | None = Field(default=None, min_length=1, max_length=500)
    name_foreign: Name | None = Field(default=None, max_length=500)
    abbreviation: Name | None = Field(default=None, max_length=100)
    name_type: Text | None = Field(default=None, max_length=60)
    scope: Text | None = Field(default=None, max_length=60)
    purpose: Text | None = Field(default=None, max_length=20000)
    field: Text | None = Field(default=None, max_length=60)
    managing_agency: Text | None = Field(default=None, max_length=60)
    nature: Text | None = Field(default=None, max_length=60)
    special_status: bool | None = None
    founding_decision_number: Text | None = Field(default=None, max_length=100)
    founding_decision_date: date | None = None
    founding_decision_issuer: Text | None = Field(default=None, max_length=300)
    charter_decision_number: Text | None = Field(default=None, max_length=100)
    charter_approval_date: date | None = None
    office_address: Text | None = Field(default=None, max_length=500)
    office_phone: Text | None = Field(default=None, max_length=50)
    office_area_m2: float | None = Field(default=None, ge=0, le=10**8, description="square metres")
    office_origin: Text | None = Field(default=None, max_length=60)
    dossier_number: Text | None = Field(default=None, max_length=100)
    dossier_location: Text | None = Field(default=None, max_length=300)
    dossier_reconciled_on: date | None = None
    classification: Text | None = Field(default=None, max_length=30, description="must be empty: classified information is refused")
    leaders: list[LeaderIn] | None = None
    congresses: list[CongressIn] | None = None
    members: list[MemberCountIn] | None = None
    state_staff: list[StaffIn] | None = None
    funding: list[FundingIn] | None = None
    affiliated_units: list[UnitIn] | None = None


class AssociationCreate(AssociationFields):
    """A new record: the names and the five classifications are required."""

    name_vi: Name = Field(min_length=1, max_length=500)
    name_type: Text = Field(max_length=60)
    scope: Text = Field(max_length=60)
    field: Text = Field(max_length=60)
    managing_agency: Text = Field(max_length=60)
    nature: Text = Field(max_length=60)


class StatusChangeIn(_In):
    kind: Text = Field(min_length=1, max_length=60, description="status_change_kind code")
    decision_number: Text = Field(min_length=1, max_length=100)
    decision_date: date
    note: Text | None = Field(default=None, max_length=5000)
    new_name_vi: Name | None = Field(default=None, max_length=500, description="for a rename")
    predecessor_ids: list[Id] = Field(default_factory=list, max_length=1000)
    successor_ids: list[Id] = Field(default_factory=list, max_length=1000)


class CategoryIn(_In):
    code: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")
    label_vi: Name = Field(min_length=1, max_length=300)
    position: int = Field(default=0, ge=-1_000_000, le=1_000_000)


class CategoryPatch(PatchModel):
    """Relabel, reorder or (de)activate an entry; every column is required, so none takes ``null``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    label_vi: Name | None = Field(default=None, min_length=1, max_length=300)
    active: bool | None = None
    position: int | None = Field(default=None, ge=-1_000_000, le=1_000_000)


class ReviewIn(_In):
    decision: Literal["accept", "request_correction", "reject"]
    reason: Text | None = Field(default=None, max_length=5000)


class DocumentIn(_In):
    number: Text = Field(min_length=1, max_length=100)
    title: Text = Field(min_length=1, max_length=1000)
    document_type: Text = Field(min_length=1, max_length=60)
    issuer: Name = Field(min_length=1, max_length=300)
    issued_on: date
    effective_on: date | None = None
    summary: Text | None = Field(default=None, max_length=20000)
    classification: Text | None = Field(default=None, max_length=30)


class DocumentPatch(PatchModel):
    """Edit a document; ``null`` clears only ``effective_on``, ``summary`` (and ``classification``, never stored)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    nullable: ClassVar[frozenset[str]] = frozenset({"effective_on", "summary", "classification"})

    number: Text | None = Field(default=None, min_length=1, max_length=100)
    title: Text | None = Field(default=None, min_length=1, max_length=1000)
    document_type: Text | None = Field(default=None, min_length=1, max_length=60)
    issuer: Name | None = Field(default=None, min_length=1, max_length=300)
    issued_on: date | None = None
    effective_on: date | None = None
    summary: Text | None = Field(default=None, max_length=20000)
    classification: Text | None = Field(default=None, max_length=30)


class FeeRateIn(_In):
    per_request_vnd: int = Field(ge=0, le=MAX_VND)
    per_row_vnd: int = Field(ge=0, le=MAX_VND)


class Page(BaseModel):
    """A page of a list."""

    count: int
    limit: int
    offset: int
    next: str | None
    items: list[dict[str, Any]]
