"""Tables of the fee schedule and the meter of value-added requests (G8)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from services.ngo_registry.database import BIGINT, Base, timestamp


class FeeSchedule(Base, table=True):
    """The price of one value-added dataset, in VND per request and per row (G8)."""

    __tablename__ = "fee_schedule"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    dataset: str = Field(max_length=60, unique=True)
    per_request_vnd: int = Field(sa_type=sa.BigInteger)
    per_row_vnd: int = Field(sa_type=sa.BigInteger)
    updated_at: datetime = timestamp()

class FeeMeter(Base, table=True):
    """One metered value-added request."""

    __tablename__ = "fee_meter"
    __table_args__ = (sa.Index("ix_fee_meter_org_at", "org", "at"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True, sa_type=BIGINT)
    at: datetime = timestamp()
    grant: str | None = Field(default=None, max_length=200)
    org: str = Field(max_length=200)
    sub: str = Field(max_length=200)
    dataset: str = Field(max_length=60)
    rows: int
    amount_vnd: int = Field(sa_type=sa.BigInteger)
