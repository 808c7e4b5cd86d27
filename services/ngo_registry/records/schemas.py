"""Request and response models of an association's record (Form 1, G17) and its history."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, Field

from services.ngo_registry.categories.schemas import Label
from services.ngo_registry.schemas import MAX_PEOPLE, MAX_VND, MAX_YEAR, MIN_YEAR, In, Out
from shared.types import Id, Name, PatchModel, Text


class LeaderIn(In):
    role: Text = Field(min_length=1, max_length=60, description="leader_role category code")
    full_name: Name = Field(min_length=1, max_length=300)
    from_date: date | None = None
    to_date: date | None = None


class CongressIn(In):
    kind: Text = Field(min_length=1, max_length=60, description="congress_kind category code")
    held_on: date
    term_number: int | None = Field(default=None, ge=0, le=1000)
    term_years: int | None = Field(default=None, ge=1, le=100, description="term length in years (at most the legal maximum)")
    delegates: int | None = Field(default=None, ge=0, le=MAX_PEOPLE)


class MemberCountIn(In):
    as_of: date
    member_type: Text = Field(min_length=1, max_length=60)
    count: int = Field(ge=0, le=MAX_PEOPLE)


class StaffIn(In):
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    staff: int = Field(ge=0, le=MAX_PEOPLE)


class FundingIn(In):
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    source: Text = Field(min_length=1, max_length=60)
    amount_vnd: int = Field(ge=0, le=MAX_VND, description="VND, an integer")


class UnitIn(In):
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


class StatusChangeIn(In):
    kind: Text = Field(min_length=1, max_length=60, description="status_change_kind code")
    decision_number: Text = Field(min_length=1, max_length=100)
    decision_date: date
    note: Text | None = Field(default=None, max_length=5000)
    new_name_vi: Name | None = Field(default=None, max_length=500, description="for a rename")
    predecessor_ids: list[Id] = Field(default_factory=list, max_length=1000)
    successor_ids: list[Id] = Field(default_factory=list, max_length=1000)


class FoundingDecision(Out):
    number: str | None = None
    date: str | None = Field(default=None, description="ISO date")
    issuer: str | None = None


class HeadOffice(Out):
    address: str | None = None
    phone: str | None = None
    area_m2: float | None = Field(default=None, description="advanced tier")
    origin: Label | None = Field(default=None, description="advanced tier")


class NextCongress(Out):
    last_held_on: str | None = None
    last_term_number: int | None = None
    due: str
    level: int = Field(description="0 on time, 1 due, 2 12 months overdue, 3 +6 months, 4 +90 days")
    label: str
    first_flag_on: str
    second_flag_on: str
    third_flag_on: str


class AssociationSummary(Out):
    """A record as lists show it; fields above the caller's tier are left out."""

    id: int | None = None
    name_vi: str | None = None
    name_foreign: str | None = None
    abbreviation: str | None = None
    name_type: Label | None = None
    scope: Label | None = None
    field: Label | None = None
    managing_agency: Label | None = None
    nature: Label | None = None
    status: str | None = None
    founding_decision: FoundingDecision | None = None
    head_office: HeadOffice | None = None
    special_status: bool | None = None
    chair_name: str | None = None
    next_congress: NextCongress | None = None
    version: int | None = None
    updated_at: str | None = None
    rank: float | None = Field(default=None, description="search relevance, with ?q=")
    tier: Literal["public", "basic", "advanced", "full"] | None = None


class Charter(Out):
    number: str | None = None
    date: str | None = None


class Dossier(Out):
    number: str | None = None
    location: str | None = None
    reconciled_on: str | None = None


class LeaderOut(Out):
    role: Label | None = None
    full_name: str
    from_date: str | None = None
    to_date: str | None = None


class CongressOut(Out):
    kind: Label | None = None
    held_on: str | None = None
    term_number: int | None = None
    term_years: int | None = None
    delegates: int | None = None


class MemberCountOut(Out):
    as_of: str | None = None
    member_type: Label | None = None
    count: int


class StaffOut(Out):
    year: int
    staff: int


class FundingOut(Out):
    year: int
    source: Label | None = None
    amount_vnd: int


class UnitOut(Out):
    kind: Label | None = None
    name: str
    address: str | None = None
    decision_number: str | None = None


class StatusChangeOut(Out):
    id: int | None = None
    kind: Label | None = None
    decision_number: str | None = None
    decision_date: str | None = None
    note: str | None = None


class LinkOut(Out):
    id: int
    name_vi: str
    change: Label | None = None
    decision_number: str | None = None
    decision_date: str | None = None


class ProvenanceOut(Out):
    source: str
    actor: str
    at: str


class NameWarning(Out):
    """A live association whose name is close to the one written (accepted; staff compare them).

    ``name-taken`` appears only in a submission not yet reviewed: accepting it would be a 409.
    """

    code: Literal["similar-name", "name-taken"]
    association_id: int
    name_vi: str
    similarity: float = Field(description="matching words over all words of the two folded names, 0-1")
    message: str


class AssociationRecord(AssociationSummary):
    """One whole record with its collections; fields above the caller's tier are left out."""

    purpose: str | None = None
    charter_approval: Charter | None = None
    dossier: Dossier | None = None
    created_at: str | None = None
    leaders: list[LeaderOut] | None = None
    congresses: list[CongressOut] | None = None
    members: list[MemberCountOut] | None = None
    state_staff: list[StaffOut] | None = None
    funding: list[FundingOut] | None = None
    affiliated_units: list[UnitOut] | None = None
    status_changes: list[StatusChangeOut] | None = None
    predecessors: list[LinkOut] | None = None
    successors: list[LinkOut] | None = None
    provenance: dict[str, ProvenanceOut] | None = Field(default=None, description="who set each field, from which source, when")
    changed_fields: list[str] | None = Field(default=None, description="after a PATCH: the fields it changed")
    warnings: list[NameWarning] | None = Field(default=None, description="after a write that set the name: live associations with close names")


class StatusChangeResult(Out):
    status_change_id: int
    association: AssociationRecord


class VersionOut(Out):
    version: int
    changed_fields: list[str]
    source: str
    actor: str
    changed_at: str
    snapshot: dict[str, Any]


class HistoryOut(Out):
    association_id: int
    count: int
    items: list[VersionOut]
