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


# -- responses -------------------------------------------------------------------------------
# Routes that use these set ``response_model_exclude_unset``: a field the caller's tier may not
# read is left out of the answer (not sent as null), exactly as the service builds it. Dates
# and times are the ISO strings the service writes.


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class Label(_Out):
    """A category code and its Vietnamese label."""

    code: str
    label: str


class FoundingDecision(_Out):
    number: str | None = None
    date: str | None = Field(default=None, description="ISO date")
    issuer: str | None = None


class HeadOffice(_Out):
    address: str | None = None
    phone: str | None = None
    area_m2: float | None = Field(default=None, description="advanced tier")
    origin: Label | None = Field(default=None, description="advanced tier")


class NextCongress(_Out):
    last_held_on: str | None = None
    last_term_number: int | None = None
    due: str
    level: int = Field(description="0 on time, 1 due, 2 12 months overdue, 3 +6 months, 4 +90 days")
    label: str
    first_flag_on: str
    second_flag_on: str
    third_flag_on: str


class AssociationSummary(_Out):
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


class Charter(_Out):
    number: str | None = None
    date: str | None = None


class Dossier(_Out):
    number: str | None = None
    location: str | None = None
    reconciled_on: str | None = None


class LeaderOut(_Out):
    role: Label | None = None
    full_name: str
    from_date: str | None = None
    to_date: str | None = None


class CongressOut(_Out):
    kind: Label | None = None
    held_on: str | None = None
    term_number: int | None = None
    term_years: int | None = None
    delegates: int | None = None


class MemberCountOut(_Out):
    as_of: str | None = None
    member_type: Label | None = None
    count: int


class StaffOut(_Out):
    year: int
    staff: int


class FundingOut(_Out):
    year: int
    source: Label | None = None
    amount_vnd: int


class UnitOut(_Out):
    kind: Label | None = None
    name: str
    address: str | None = None
    decision_number: str | None = None


class StatusChangeOut(_Out):
    id: int | None = None
    kind: Label | None = None
    decision_number: str | None = None
    decision_date: str | None = None
    note: str | None = None


class LinkOut(_Out):
    id: int
    name_vi: str
    change: Label | None = None
    decision_number: str | None = None
    decision_date: str | None = None


class ProvenanceOut(_Out):
    source: str
    actor: str
    at: str


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


class Page(BaseModel):
    """A page of a list."""

    count: int
    limit: int
    offset: int
    next: str | None = Field(description="the next page's URL, or null on the last page")
    items: list[dict[str, Any]]


class AssociationPage(Page):
    items: list[AssociationSummary]  # type: ignore[assignment]


class StatusChangeResult(_Out):
    status_change_id: int
    association: AssociationRecord


class VersionOut(_Out):
    version: int
    changed_fields: list[str]
    source: str
    actor: str
    changed_at: str
    snapshot: dict[str, Any]


class HistoryOut(_Out):
    association_id: int
    count: int
    items: list[VersionOut]


class CategoryOut(_Out):
    kind: str
    code: str
    label_vi: str
    active: bool
    position: int


class CategoryKind(_Out):
    kind: str
    label_vi: str


class CategoriesOut(_Out):
    kinds: list[CategoryKind]
    count: int
    items: list[CategoryOut]


class CategoryListOut(_Out):
    kind: str
    label_vi: str
    count: int
    items: list[CategoryOut]


class ReviewOut(_Out):
    decision: str | None = None
    reason: str | None = None
    by: str | None = None
    at: str | None = None


class RawFileOut(_Out):
    id: int | None = None
    role: str
    filename: str
    content_type: str
    size: int
    sha256: str


class SubmissionOut(_Out):
    id: int | None = None
    association_id: int | None = None
    org: str
    submitted_by: str
    format: str
    status: str = Field(description="validated, invalid, accepted, correction_requested or rejected")
    raw_sha256: str
    standardised: dict[str, Any] | None = None
    validation_errors: list[dict[str, Any]] | None = None
    review: ReviewOut
    files: list[RawFileOut]
    created_at: str


class SubmissionPage(Page):
    items: list[SubmissionOut]  # type: ignore[assignment]


class DocumentOut(_Out):
    id: int | None = None
    number: str
    title: str
    document_type: str
    document_type_label: str | None = None
    issuer: str
    issued_on: str | None = None
    effective_on: str | None = None
    summary: str | None = None


class DocumentPage(Page):
    items: list[DocumentOut]  # type: ignore[assignment]


class FeeRateOut(_Out):
    dataset: str
    label: str
    per_request_vnd: int
    per_row_vnd: int
    currency: str


class FeeScheduleOut(_Out):
    currency: str
    count: int
    items: list[FeeRateOut]


class FeeLine(_Out):
    dataset: str
    label: str
    requests: int
    rows: int
    amount_vnd: int


class FeeStatementOut(_Out):
    org: str
    month: str
    currency: str
    grants: list[str]
    lines: list[FeeLine]
    total_vnd: int


class Column(_Out):
    key: str
    heading: str


class TableOut(_Out):
    """A list or statistic as JSON (``format=csv`` and ``format=xlsx`` give the same table as a file)."""

    dataset: str
    title: str
    generated_on: str = Field(description="dd/mm/yyyy, Asia/Ho_Chi_Minh")
    columns: list[Column]
    count: int
    items: list[dict[str, Any]]
    limit: int | None = None
    offset: int | None = None
    next: str | None = None


class RuleParameter(_Out):
    value: Any
    document: str
    article: str
    effective: str


class RulesOut(_Out):
    rule_set: str
    label: str
    parameters: dict[str, RuleParameter]


class ReportOut(_Out):
    """A periodic report (G11): its title, period, legal basis and figures."""

    title: str
    year: int
    legal_basis: str
    generated_on: str


class ScanOut(_Out):
    emitted: int
