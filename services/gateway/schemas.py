"""Request and response models of the gateway service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    count: int
    next: str | None
    results: list[T]


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class PasswordChangeIn(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    current_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=1, max_length=1000)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    scope: str
    refresh_token: str | None = None


class OrganisationIn(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    kind: str = Field(default="agency", pattern="^(agency|association|system|operator)$")
    contact_email: str | None = Field(default=None, max_length=200)


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    name: str
    kind: str
    contact_email: str | None
    created_at: datetime


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)
    org_id: str
    full_name: str = Field(default="", max_length=200)
    position: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
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
    password_changed_at: datetime
    locked_until: datetime | None
    last_login_at: datetime | None
    created_at: datetime


class ClientIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    org_id: str


class ClientOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    client_id: str
    name: str
    org_id: str
    active: bool
    created_at: datetime


class ClientCreated(ClientOut):
    client_secret: str = Field(description="Shown once; only its argon2id hash is stored.")


class Official(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    position: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(default=None, max_length=50)


class RegistrationIn(BaseModel):
    org_id: str
    officials: list[Official] = Field(min_length=1)
    purpose: str = Field(min_length=1, max_length=5000)
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
    decided_at: datetime | None
    grant_id: str | None
    created_at: datetime


class ApproveIn(BaseModel):
    scopes: list[str] | None = Field(default=None, description="Narrow the approval to these scopes")
    valid_from: datetime | None = None
    valid_until: datetime | None = None


class RejectIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class GrantStatusIn(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


class GrantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    org_id: str
    registration_id: str | None
    scopes: list[str]
    valid_from: datetime
    valid_until: datetime
    status: str
    status_reason: str | None
    created_at: datetime
    updated_at: datetime


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
