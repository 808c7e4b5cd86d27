"""Tables of the gateway service: organisations, people, clients, registrations, grants,
refresh tokens, signing keys and the hash-chained audit trail."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Column, Date, DateTime, Text
from sqlmodel import Field, SQLModel

from shared.db import EnumText, make_base
from shared.db import utcnow as utcnow  # one clock for every timestamp column
from shared.events import event_tables

if TYPE_CHECKING:  # make_base returns a class object; type checkers see plain SQLModel
    Base = SQLModel
else:
    Base = make_base("GatewayBase")
EVENT_TABLES = event_tables(Base.metadata)




def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def new_id() -> str:
    return uuid.uuid4().hex


def _ts(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable))


class OrganisationKind(StrEnum):
    operator = "operator"
    agency = "agency"
    association = "association"
    system = "system"


class RegistrationState(StrEnum):
    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"


class GrantStatus(StrEnum):
    active = "active"
    suspended = "suspended"
    revoked = "revoked"
    expired = "expired"


class Organisation(Base, table=True):
    __tablename__ = "organisations"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=300, unique=True)
    kind: OrganisationKind = Field(default=OrganisationKind.agency, sa_type=EnumText(OrganisationKind, 20))
    contact_email: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class User(Base, table=True):
    __tablename__ = "users"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    username: str = Field(max_length=100, unique=True)
    full_name: str = Field(default="", max_length=200)
    position: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    org_id: str = Field(foreign_key="organisations.id", index=True, max_length=36)
    is_admin: bool = False
    is_representative: bool = False
    active: bool = True
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    #: argon2id hashes of the previous passwords, newest first
    password_history: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    password_changed_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    must_change: bool = True
    #: no longer counted here: failures are counted per source address in ``login_locks``
    failed_attempts: int = 0
    #: the latest lockout of this account from any source (shown to administrators; the lock
    #: itself is per source, see :class:`LoginLock`)
    locked_until: datetime | None = _ts(nullable=True)
    last_login_at: datetime | None = _ts(nullable=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class LoginLock(Base, table=True):
    """Failed logins of one account from one source address (N10 lockout per account and source).

    Counting per source means a stranger who fails logins for ``root`` locks ``root`` out only
    from the stranger's own address, not from the administrator's.
    """

    __tablename__ = "login_locks"

    user_id: str = Field(foreign_key="users.id", primary_key=True, max_length=36)
    source: str = Field(primary_key=True, max_length=64)
    failed_attempts: int = 0
    locked_until: datetime | None = _ts(nullable=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class Client(Base, table=True):
    __tablename__ = "clients"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    client_id: str = Field(max_length=100, unique=True)
    name: str = Field(max_length=200)
    org_id: str = Field(foreign_key="organisations.id", index=True, max_length=36)
    #: argon2id hash of the secret; the secret itself is shown once and never stored
    secret_hash: str = Field(sa_column=Column(Text, nullable=False))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class Registration(Base, table=True):
    """A registration form (phiếu đăng ký khai thác dữ liệu)."""

    __tablename__ = "registrations"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    org_id: str = Field(foreign_key="organisations.id", index=True, max_length=36)
    submitted_by: str = Field(max_length=200)
    officials: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    purpose: str = Field(sa_column=Column(Text, nullable=False))
    requested_scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tiers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    period_from: date = Field(sa_column=Column(Date, nullable=False))
    period_until: date = Field(sa_column=Column(Date, nullable=False))
    state: RegistrationState = Field(default=RegistrationState.submitted, sa_type=EnumText(RegistrationState, 20), index=True)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = _ts(nullable=True)
    grant_id: str | None = Field(default=None, max_length=36)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class Grant(Base, table=True):
    __tablename__ = "grants"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    org_id: str = Field(foreign_key="organisations.id", index=True, max_length=36)
    registration_id: str | None = Field(default=None, foreign_key="registrations.id", max_length=36)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    valid_from: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    valid_until: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    status: GrantStatus = Field(default=GrantStatus.active, sa_type=EnumText(GrantStatus, 20), index=True)
    status_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class RefreshToken(Base, table=True):
    __tablename__ = "refresh_tokens"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    #: sha256 of the 256-bit random token (a fast hash is right for random secrets)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: str = Field(foreign_key="users.id", index=True, max_length=36)
    scope: str = Field(default="", sa_column=Column(Text, nullable=False))
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    revoked_at: datetime | None = _ts(nullable=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class RevokedToken(Base, table=True):
    """Access tokens revoked before their expiry (RFC 7009), kept until they expire."""

    __tablename__ = "revoked_tokens"

    jti: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))


class SigningKey(Base, table=True):
    __tablename__ = "signing_keys"

    kid: str = Field(primary_key=True, max_length=64)
    algorithm: str = Field(default="EdDSA", max_length=10)
    private_pem: str = Field(sa_column=Column(Text, nullable=False))
    public_jwk: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    retired_at: datetime | None = _ts(nullable=True)


class AuditRecord(Base, table=True):
    """One append-only audit record; ``hash`` = sha256(canonical JSON of the fields + prev_hash)."""

    __tablename__ = "audit_records"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    occurred_at: str = Field(max_length=40, index=True)
    kind: str = Field(max_length=40, index=True)
    actor: str | None = Field(default=None, max_length=200, index=True)
    org: str | None = Field(default=None, max_length=36, index=True)
    grant_id: str | None = Field(default=None, max_length=36)
    client_id: str | None = Field(default=None, max_length=100)
    method: str | None = Field(default=None, max_length=10)
    path: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: int | None = None
    latency_ms: float | None = None
    request_id: str | None = Field(default=None, max_length=128)
    ip: str | None = Field(default=None, max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(Base, table=True):
    """The newest record's seq and hash, so that deleting the tail is detected too."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = 0
    hash: str = Field(max_length=64)
