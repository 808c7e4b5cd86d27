"""Request and response models of the gateway service.

People type user names, organisation and client names: they are :data:`shared.types.Name` (no
control, zero-width or bidi characters, no edge spaces), so two accounts that look alike are
alike. Other free text is :data:`shared.types.Text`. Every datetime in a response is aware UTC
(:data:`UtcDatetime`): SQLite hands stored values back without their time zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shared.types import Name, Text


def _utc(value: datetime) -> datetime:
    """Naive values were stored as UTC; aware ones are shown in UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: a datetime that always leaves with its offset (ISO 8601, UTC)
UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


class LoginIn(BaseModel):
    username: Name = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class PasswordChangeIn(BaseModel):
    username: Name = Field(min_length=1, max_length=100)
    current_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=1, max_length=1000)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    scope: str
    refresh_token: str | None = None


class OrganisationIn(BaseModel):
    name: Name = Field(min_length=1, max_length=300)
    kind: str = Field(default="agency", pattern="^(agency|association|system|operator)$")
    contact_email: Text | None = Field(default=None, max_length=200)


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    name: str
    kind: str
    contact_email: str | None
    created_at: UtcDatetime


class UserIn(BaseModel):
    username: Name = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)
    org_id: str = Field(max_length=36)
    full_name: Name = Field(default="", max_length=200)
    position: Text | None = Field(default=None, max_length=200)
    email: Text | None = Field(default=None, max_length=200)
    phone: Text | None = Field(default=None, max_length=50)
    is_admin: bool = False
    is_representative: bool = False


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    username: str
    full_name: str
    position: str | None
    email: str | None
    phone: str | None
    org_id: str
    is_admin: bool
    is_representative: bool
    active: bool
    must_change: bool
    password_changed_at: UtcDatetime
    locked_until: UtcDatetime | None
    last_login_at: UtcDatetime | None
    created_at: UtcDatetime


class ClientIn(BaseModel):
    name: Name = Field(min_length=1, max_length=200)
    org_id: str = Field(max_length=36)


class ClientOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    client_id: str
    name: str
    org_id: str
    active: bool
    created_at: UtcDatetime


class ClientCreated(ClientOut):
    client_secret: str = Field(description="Shown once; only its argon2id hash is stored.")


class Official(BaseModel):
    name: Name = Field(min_length=1, max_length=200)
    position: Text = Field(default="", max_length=200)
    email: Text | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: Text | None = Field(default=None, max_length=50)


class RegistrationIn(BaseModel):
    org_id: str = Field(max_length=36)
    officials: list[Official] = Field(min_length=1)
    purpose: Text = Field(min_length=1, max_length=5000)
    requested_scopes: list[str] = Field(default_factory=list)
    tiers: list[str] = Field(default_factory=list, description="NGO data tiers: basic, advanced, value_added")
    period_from: date
    period_until: date


class RegistrationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    org_id: str
    submitted_by: str
    officials: list[dict[str, Any]]
    purpose: str
    requested_scopes: list[str]
    tiers: list[str]
    period_from: date
    period_until: date
    state: str
    reason: str | None
    decided_by: str | None
    decided_at: UtcDatetime | None
    grant_id: str | None
    created_at: UtcDatetime


class ApproveIn(BaseModel):
    scopes: list[str] | None = Field(default=None, description="Narrow the approval to these scopes")
    valid_from: UtcDatetime | None = None
    valid_until: UtcDatetime | None = None


class RejectIn(BaseModel):
    reason: Text = Field(min_length=1, max_length=2000)


class GrantStatusIn(BaseModel):
    reason: Text | None = Field(default=None, max_length=2000)


class GrantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    org_id: str
    registration_id: str | None
    scopes: list[str]
    valid_from: UtcDatetime
    valid_until: UtcDatetime
    status: str
    status_reason: str | None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    seq: int
    occurred_at: str
    kind: str
    actor: str | None
    org: str | None
    grant_id: str | None
    client_id: str | None
    method: str | None
    path: str | None
    status: int | None
    latency_ms: float | None
    request_id: str | None
    ip: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class AuditVerification(BaseModel):
    valid: bool
    checked: int
    head_hash: str | None
    first_invalid_seq: int | None
    problem: str | None
