"""Tables of submitted information sheets and the files stored as received (G2, G6)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from services.ngo_registry.database import Base, timestamp
from shared.db import EnumText


class SubmissionStatus(StrEnum):
    """A submission's state: standardised (validated or invalid), then reviewed."""

    RECEIVED = "received"
    VALIDATED = "validated"
    INVALID = "invalid"
    ACCEPTED = "accepted"
    CORRECTION_REQUESTED = "correction_requested"
    REJECTED = "rejected"


class ReviewDecision(StrEnum):
    """What the NGO Department decided about a submission."""

    ACCEPT = "accept"
    REQUEST_CORRECTION = "request_correction"
    REJECT = "reject"


class SheetFormat(StrEnum):
    """The format the information sheet arrived in."""

    JSON = "json"
    XLSX = "xlsx"


class FileRole(StrEnum):
    """Whether a stored file is the sheet itself or an attachment."""

    PAYLOAD = "payload"
    ATTACHMENT = "attachment"


class Submission(Base, table=True):
    """An information sheet sent by an association: raw, then basic, then reviewed."""

    __tablename__ = "submission"
    __table_args__ = (sa.Index("ix_submission_status", "status"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True)
    association_id: int | None = Field(default=None, index=True)
    org: str = Field(max_length=200)
    submitted_by: str = Field(max_length=200)
    format: SheetFormat = Field(sa_type=EnumText(SheetFormat, 10))
    status: SubmissionStatus = Field(default=SubmissionStatus.RECEIVED, sa_type=EnumText(SubmissionStatus, 30))
    raw_sha256: str = Field(max_length=64)
    standardised: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    validation_errors: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    review_decision: ReviewDecision | None = Field(default=None, sa_type=EnumText(ReviewDecision, 30))
    review_reason: str | None = Field(default=None, sa_type=sa.Text)
    reviewed_by: str | None = Field(default=None, max_length=200)
    reviewed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: datetime = timestamp()

class RawFile(Base, table=True):
    """A file as received (payload or attachment), stored by its SHA-256, never altered."""

    __tablename__ = "raw_file"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(sa_column_args=[sa.ForeignKey("submission.id")], index=True)
    role: FileRole = Field(sa_type=EnumText(FileRole, 20))
    filename: str = Field(max_length=300)
    content_type: str = Field(max_length=200)
    size: int
    sha256: str = Field(max_length=64)
    created_at: datetime = timestamp()
