"""Response model of the CSV import."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ImportResult(BaseModel):
    created: int = Field(description="Rows created (prefixes, addresses or ranges)")
    rows: int = Field(description="Data rows read")
