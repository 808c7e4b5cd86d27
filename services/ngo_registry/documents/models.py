"""The table of Party and State documents on associations (G14 item m)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from services.ngo_registry.database import Base, timestamp


class PartyDocument(Base, table=True):
    """A Party or State document on associations (G14 item m)."""

    __tablename__ = "party_document"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=100)
    title: str = Field(max_length=1000)
    document_type_code: str = Field(max_length=60)
    issuer: str = Field(max_length=300)
    issued_on: date
    effective_on: date | None = None
    summary: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
