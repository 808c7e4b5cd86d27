"""Request and response models of submissions (G2, G6)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from services.ngo_registry.records.schemas import NameWarning
from services.ngo_registry.schemas import In, Out
from shared.types import Text


class ReviewIn(In):
    decision: Literal["accept", "request_correction", "reject"]
    reason: Text | None = Field(default=None, max_length=5000)


class ReviewOut(Out):
    decision: str | None = None
    reason: str | None = None
    by: str | None = None
    at: str | None = None


class RawFileOut(Out):
    id: int | None = None
    role: str
    filename: str
    content_type: str
    size: int
    sha256: str


class SubmissionOut(Out):
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
    warnings: list[NameWarning] | None = Field(
        default=None,
        description="the name rule on the sheet's name_vi: before review what accepting would meet (name-taken is a 409 then), after an accept the near matches",
    )
