"""Domain logic of the gateway: organisations, accounts, clients, registrations, grants, tokens.

Plain keyword-only functions taking a session; they flush, never commit, and raise domain errors.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, func, select

from services.gateway.events import outbox
from services.gateway.models import (
    Client,
    Grant,
    GrantStatus,
    LoginLock,
    Organisation,
    OrganisationKind,
    RefreshToken,
    Registration,
    RegistrationState,
    RevokedToken,
    User,
    aware,
    utcnow,
)
from services.gateway.routes import KNOWN_SCOPES, NGO_TIERS
from services.gateway.rules import PasswordRules, password_weaknesses
from shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from shared.types import check_name

OPERATOR_ORG = "Vụ Tổ chức phi chính phủ - Bộ Nội vụ (quản trị GovNet)"
ALL_SCOPES = " ".join(KNOWN_SCOPES)


class Locked(DomainError):
    status, code, title = 423, "account-locked", "Account locked"


class PasswordChangeRequired(DomainError):
    status, code, title = 403, "password-change-required", "Password change required"


def make_hasher(*, time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    """argon2id with the configured cost."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def _verify(hasher: PasswordHasher, hashed: str, password: str) -> bool:
    try:
        return hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _name(field: str, value: str) -> str:
    """``value`` stripped, refused when it holds control or invisible characters (look-alike names).

    The HTTP schemas refuse them already; this covers the CLI and every other caller.
    """
    value = value.strip()
    try:
        return check_name(value)
    except ValueError as exc:
        raise InvalidInput(f"{field}: {exc}.", errors=[{"field": field, "message": str(exc)}]) from None


# -- organisations -----------------------------------------------------------------------
def create_organisation(*, session: Session, name: str, kind: str, contact_email: str | None = None) -> Organisation:
    """Register an organisation (agency, association, other system)."""
    name = _name("name", name)
    if not name:
        raise InvalidInput("Give the organisation a name.", errors=[{"field": "name", "message": "required"}])
    if session.exec(select(Organisation).where(Organisation.name == name)).first():
        raise Conflict(f"An organisation named '{name}' already exists.")
    org = Organisation(name=name, kind=kind, contact_email=contact_email)
    session.add(org)
    session.flush()
    return org


def organisation_by_ref(*, session: Session, ref: str) -> Organisation | None:
    """An organisation by id or by exact name."""
    return session.get(Organisation, ref) or session.exec(select(Organisation).where(Organisation.name == ref)).first()


def ensure_organisation(*, session: Session, ref: str, kind: str = OrganisationKind.agency) -> Organisation:
    """The organisation with this id or name, created when missing."""
    return organisation_by_ref(session=session, ref=ref) or create_organisation(session=session, name=ref, kind=kind)


def get_organisation(*, session: Session, org_id: str) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"No organisation has id '{org_id}'.")
    return org


# -- people --------------------------------------------------------------------------------
def check_password_strength(*, password: str, rules: PasswordRules, username: str = "") -> None:
    """Raise 422 listing every rule ``password`` breaks."""
    weak = password_weaknesses(password, rules=rules, username=username)
    if weak:
        raise InvalidInput(
            "The password is too weak: " + " ".join(w.message for w in weak),
            errors=[{"field": w.field, "message": w.message} for w in weak],
        )


def create_user(
    *,
    session: Session,
    hasher: PasswordHasher,
    rules: PasswordRules,
    username: str,
    password: str,
    org_id: str,
    full_name: str = "",
    position: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    is_admin: bool = False,
    is_representative: bool = False,
    must_change: bool | None = None,
) -> User:
    """Create a person's account; the password must pass the N10 rules."""
    username = _name("username", username)
    if not username:
        raise InvalidInput("Give a user name.", errors=[{"field": "username", "message": "required"}])
    if session.exec(select(User).where(User.username == username)).first():
        raise Conflict(f"The user name '{username}' is taken.")
    get_organisation(session=session, org_id=org_id)
    check_password_strength(password=password, rules=rules, username=username)
    user = User(
        username=username,
        full_name=full_name,
        position=position,
        email=email,
        phone=phone,
        org_id=org_id,
        is_admin=is_admin,
        is_representative=is_representative,
        password_hash=hasher.hash(password),
        must_change=rules.change_at_first_login if must_change is None else must_change,
    )
    session.add(user)
    session.flush()
    return user


class LoginOutcome(StrEnum):
    ok = "ok"
    bad_credentials = "bad_credentials"
    locked = "locked"
    locked_now = "locked_now"
    must_change = "must_change"
    expired = "expired"


@dataclass
class LoginResult:
    outcome: LoginOutcome
    user: User | None
    locked_until: datetime | None = None


def attempt_login(
    *, session: Session, hasher: PasswordHasher, rules: PasswordRules, username: str, password: str, source: str
) -> LoginResult:
    """Check a password, counting failures per account and source address and locking that pair
    after too many (the caller commits, then reports).

    The lock holds for ``source`` only: a stranger failing logins for an account locks it out
    from the stranger's address, while its owner still logs in from elsewhere.
    """
    user = session.exec(select(User).where(User.username == username)).first()
    now = utcnow()
    if user is None or not user.active:
        hasher.hash(password)  # spend the same time as a real check: do not reveal which names exist
        return LoginResult(LoginOutcome.bad_credentials, None)
    source = source[:64]
    lock = session.get(LoginLock, (user.id, source))
    locked_until = aware(lock.locked_until) if lock is not None else None
    if locked_until and locked_until > now:
        return LoginResult(LoginOutcome.locked, user, locked_until)
    if not _verify(hasher, user.password_hash, password):
        lock = lock or LoginLock(user_id=user.id, source=source)
        lock.failed_attempts += 1
        lock.locked_until = None
        lock.updated_at = now
        outcome = LoginOutcome.bad_credentials
        if lock.failed_attempts >= rules.max_failures:
            lock.locked_until = now + timedelta(minutes=rules.lockout_minutes)
            lock.failed_attempts = 0
            user.locked_until = lock.locked_until  # administrators see the latest lock
            session.add(user)
            outcome = LoginOutcome.locked_now
        session.add(lock)
        session.flush()
        return LoginResult(outcome, user, aware(lock.locked_until))
    if lock is not None:
        session.delete(lock)  # a success from this source clears its count
        session.flush()
    user.locked_until = _latest_lock(session=session, user_id=user.id, now=now)
    session.add(user)
    if user.must_change:
        return LoginResult(LoginOutcome.must_change, user)
    changed = aware(user.password_changed_at) or now
    if rules.max_age_days and now - changed > timedelta(days=rules.max_age_days):
        return LoginResult(LoginOutcome.expired, user)
    user.last_login_at = now
    session.flush()
    return LoginResult(LoginOutcome.ok, user)


def _latest_lock(*, session: Session, user_id: str, now: datetime) -> datetime | None:
    """When the account's last lock in force (from any source) ends, if one is."""
    ends = [aware(row) for row in session.exec(select(LoginLock.locked_until).where(LoginLock.user_id == user_id))]
    live = [end for end in ends if end is not None and end > now]
    return max(live) if live else None


def set_password(
    *, session: Session, hasher: PasswordHasher, rules: PasswordRules, user: User, new_password: str
) -> None:
    """Replace a password: strength rules, and none of the last ``rules.history`` may come back."""
    check_password_strength(password=new_password, rules=rules, username=user.username)
    previous = [user.password_hash, *user.password_history][: rules.history]
    if any(_verify(hasher, old, new_password) for old in previous):
        raise InvalidInput(
            f"The new password must differ from your last {rules.history} passwords.",
            errors=[{"field": "new_password", "message": f"reuses one of the last {rules.history} passwords"}],
        )
    user.password_history = previous[: max(rules.history - 1, 0)]
    user.password_hash = hasher.hash(new_password)
    user.password_changed_at = utcnow()
    user.must_change = False
    session.add(user)
    session.flush()


def get_user(*, session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user has id '{user_id}'.")
    return user


def user_by_username(*, session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


# -- clients -------------------------------------------------------------------------------
def create_client(*, session: Session, hasher: PasswordHasher, name: str, org_id: str) -> tuple[Client, str]:
    """A system client of ``org_id``; returns it and its secret (shown once, stored only hashed)."""
    get_organisation(session=session, org_id=org_id)
    secret = secrets.token_urlsafe(32)
    client = Client(
        client_id="gnc_" + uuid.uuid4().hex[:20], name=_name("name", name) or "client", org_id=org_id,
        secret_hash=hasher.hash(secret),
    )
    session.add(client)
    session.flush()
    return client, secret


def authenticate_client(*, session: Session, hasher: PasswordHasher, client_id: str, secret: str) -> Client | None:
    """The client when ``secret`` is right and it is active."""
    client = session.exec(select(Client).where(Client.client_id == client_id)).first()
    if client is None:
        hasher.hash(secret)
        return None
    if not client.active or not _verify(hasher, client.secret_hash, secret):
        return None
    return client


# -- grants --------------------------------------------------------------------------------
def grant_effective_status(grant: Grant, now: datetime | None = None) -> str:
    """``expired`` once past ``valid_until`` even if the row still says active."""
    now = now or utcnow()
    if grant.status == GrantStatus.active and (aware(grant.valid_until) or now) <= now:
        return GrantStatus.expired
    return grant.status


def active_grants(*, session: Session, org_id: str) -> list[Grant]:
    """The organisation's grants in force now."""
    now = utcnow()
    rows = session.exec(
        select(Grant).where(Grant.org_id == org_id, Grant.status == GrantStatus.active).order_by(col(Grant.created_at))
    )
    return [g for g in rows if (aware(g.valid_from) or now) <= now < (aware(g.valid_until) or now)]


@dataclass
class ScopeDecision:
    scope: list[str]
    grants: list[str]


def decide_scope(*, grants: list[Grant], requested: str | None, extra: frozenset[str] = frozenset()) -> ScopeDecision:
    """Union of the holder's active grants, narrowed to ``requested``; raises ValueError listing what is not held."""
    held: set[str] = set(extra)
    for g in grants:
        held.update(g.scopes)
    wanted = set(requested.split()) if requested else held
    missing = wanted - held
    if missing:
        raise ValueError(" ".join(sorted(missing)))
    backing = [g.id for g in grants if wanted & set(g.scopes)]
    return ScopeDecision(sorted(wanted), backing)


def get_grant(*, session: Session, grant_id: str) -> Grant:
    grant = session.get(Grant, grant_id)
    if grant is None:
        raise NotFound(f"No grant has id '{grant_id}'.")
    return grant


def create_grant(
    *,
    session: Session,
    org_id: str,
    scopes: list[str],
    valid_from: datetime,
    valid_until: datetime,
    registration_id: str | None = None,
) -> Grant:
    """A grant of ``scopes`` to ``org_id`` for a period; emits grant.approved."""
    check_scopes(scopes)
    if valid_until <= valid_from:
        raise InvalidInput("valid_until must be after valid_from.", errors=[{"field": "valid_until", "message": "before valid_from"}])
    grant = Grant(org_id=org_id, scopes=sorted(set(scopes)), valid_from=valid_from, valid_until=valid_until,
                  registration_id=registration_id)
    session.add(grant)
    session.flush()
    outbox.emit(session, "govnet.gateway.grant.approved.v1", subject=grant.id,
                data={"grant_id": grant.id, "org": org_id, "scopes": grant.scopes,
                      "valid_from": valid_from.isoformat(), "valid_until": valid_until.isoformat()})
    return grant


_TRANSITIONS: dict[str, tuple[set[str], str]] = {
    "revoke": ({GrantStatus.active, GrantStatus.suspended}, GrantStatus.revoked),
    "suspend": ({GrantStatus.active}, GrantStatus.suspended),
    "resume": ({GrantStatus.suspended}, GrantStatus.active),
}


def change_grant_status(*, session: Session, grant_id: str, action: str, reason: str | None, actor: str) -> Grant:
    """Revoke, suspend or resume a grant; revoke and suspend emit ``grant.revoked`` so services drop cached principals."""
    grant = get_grant(session=session, grant_id=grant_id)
    allowed_from, target = _TRANSITIONS[action]
    if grant.status not in allowed_from:
        raise Conflict(f"A {grant.status} grant cannot be {target}; it must be one of: {', '.join(sorted(allowed_from))}.")
    grant.status = target
    grant.status_reason = reason
    grant.updated_at = utcnow()
    session.add(grant)
    session.flush()
    event = "govnet.gateway.grant.resumed.v1" if target == GrantStatus.active else "govnet.gateway.grant.revoked.v1"
    outbox.emit(session, event, subject=grant.id,
                data={"grant_id": grant.id, "org": grant.org_id, "status": target, "reason": reason, "by": actor})
    return grant


def check_scopes(scopes: list[str]) -> None:
    unknown = sorted(set(scopes) - set(KNOWN_SCOPES))
    if unknown:
        raise InvalidInput(
            f"Unknown scope(s): {', '.join(unknown)}. Known scopes: {', '.join(KNOWN_SCOPES)}.",
            errors=[{"field": "scopes", "message": f"unknown: {s}"} for s in unknown],
        )


# -- registrations ---------------------------------------------------------------------------
def tier_scopes(tiers: list[str]) -> list[str]:
    bad = [t for t in tiers if t not in NGO_TIERS]
    if bad:
        raise InvalidInput(f"Unknown NGO data tier(s): {', '.join(bad)}; use {', '.join(NGO_TIERS)}.",
                           errors=[{"field": "tiers", "message": f"unknown: {t}"} for t in bad])
    return [f"ngo:read:{t}" for t in tiers]


def submit_registration(
    *,
    session: Session,
    org_id: str,
    submitted_by: str,
    officials: list[dict[str, Any]],
    purpose: str,
    requested_scopes: list[str],
    tiers: list[str],
    period_from: date,
    period_until: date,
) -> Registration:
    """File a registration form (phiếu đăng ký) for an organisation."""
    get_organisation(session=session, org_id=org_id)
    scopes = sorted(set(requested_scopes) | set(tier_scopes(tiers)))
    if not scopes:
        raise InvalidInput("Ask for at least one scope or data tier.", errors=[{"field": "requested_scopes", "message": "empty"}])
    check_scopes(scopes)
    if period_until <= period_from:
        raise InvalidInput("The period must end after it starts.", errors=[{"field": "period_until", "message": "before period_from"}])
    reg = Registration(org_id=org_id, submitted_by=submitted_by, officials=officials, purpose=purpose,
                       requested_scopes=scopes, tiers=tiers, period_from=period_from, period_until=period_until)
    session.add(reg)
    session.flush()
    return reg


def get_registration(*, session: Session, registration_id: str) -> Registration:
    reg = session.get(Registration, registration_id)
    if reg is None:
        raise NotFound(f"No registration has id '{registration_id}'.")
    return reg


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def approve_registration(
    *, session: Session, registration_id: str, actor: str, scopes: list[str] | None = None,
    valid_from: datetime | None = None, valid_until: datetime | None = None,
) -> tuple[Registration, Grant]:
    """Approve a submitted registration, optionally narrowed to ``scopes``; creates the grant."""
    reg = get_registration(session=session, registration_id=registration_id)
    if reg.state != RegistrationState.submitted:
        raise Conflict(f"The registration is already {reg.state}.")
    granted = reg.requested_scopes if scopes is None else scopes
    extra = sorted(set(granted) - set(reg.requested_scopes))
    if extra:
        raise InvalidInput(f"Approval may narrow but not widen the request; not requested: {', '.join(extra)}.",
                           errors=[{"field": "scopes", "message": f"not requested: {s}"} for s in extra])
    if not granted:
        raise InvalidInput("Approve at least one scope, or reject the registration.", errors=[{"field": "scopes", "message": "empty"}])
    start = valid_from or max(_start_of(reg.period_from), utcnow())
    until = valid_until or _start_of(reg.period_until + timedelta(days=1))
    grant = create_grant(session=session, org_id=reg.org_id, scopes=list(granted), valid_from=start,
                         valid_until=until, registration_id=reg.id)
    reg.state = RegistrationState.approved
    reg.decided_by, reg.decided_at, reg.grant_id = actor, utcnow(), grant.id
    session.add(reg)
    session.flush()
    return reg, grant


def reject_registration(*, session: Session, registration_id: str, actor: str, reason: str) -> Registration:
    """Reject a submitted registration with a reason the organisation can act on."""
    reg = get_registration(session=session, registration_id=registration_id)
    if reg.state != RegistrationState.submitted:
        raise Conflict(f"The registration is already {reg.state}.")
    if not reason.strip():
        raise InvalidInput("Say why the registration is rejected.", errors=[{"field": "reason", "message": "required"}])
    reg.state = RegistrationState.rejected
    reg.reason, reg.decided_by, reg.decided_at = reason.strip(), actor, utcnow()
    session.add(reg)
    session.flush()
    return reg


# -- refresh and revoked tokens -----------------------------------------------------------
def issue_refresh_token(*, session: Session, user: User, scope: str, seconds: int) -> str:
    """A new opaque refresh token (only its sha256 is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(RefreshToken(token_hash=sha256_hex(token), user_id=user.id, scope=scope,
                             expires_at=utcnow() + timedelta(seconds=seconds)))
    session.flush()
    return token


def use_refresh_token(*, session: Session, token: str) -> tuple[RefreshToken, User] | None:
    """Consume a refresh token (rotation: it is revoked as it is used)."""
    row = session.exec(select(RefreshToken).where(RefreshToken.token_hash == sha256_hex(token))).first()
    now = utcnow()
    if row is None or row.revoked_at is not None or (aware(row.expires_at) or now) <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    row.revoked_at = now
    session.add(row)
    session.flush()
    return row, user


def revoke_refresh_token(*, session: Session, token: str) -> bool:
    row = session.exec(select(RefreshToken).where(RefreshToken.token_hash == sha256_hex(token))).first()
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    session.add(row)
    session.flush()
    return True


def revoke_access_token(*, session: Session, jti: str, exp: int) -> None:
    """Deny an access token until it expires (RFC 7009)."""
    if session.get(RevokedToken, jti) is None:
        session.add(RevokedToken(jti=jti, expires_at=datetime.fromtimestamp(exp, UTC)))
        session.flush()


# -- bootstrap -----------------------------------------------------------------------------
def ensure_operator_grant(*, session: Session) -> tuple[Organisation, Grant]:
    """The operator organisation and its all-scopes grant that backs administrator accounts."""
    org = ensure_organisation(session=session, ref=OPERATOR_ORG, kind=OrganisationKind.operator)
    for grant in active_grants(session=session, org_id=org.id):
        if "gateway:admin" in grant.scopes:
            return org, grant
    now = utcnow()
    grant = create_grant(session=session, org_id=org.id, scopes=list(KNOWN_SCOPES), valid_from=now,
                         valid_until=now + timedelta(days=3650))
    return org, grant


def admin_exists(*, session: Session) -> bool:
    return bool(session.exec(select(func.count()).select_from(User).where(col(User.is_admin).is_(True))).one())


def ensure_caller_may_manage(*, is_admin: bool, caller_org: str | None, org_id: str) -> None:
    """A representative acts only for their own organisation."""
    if not is_admin and caller_org != org_id:
        raise Forbidden("You may only act for your own organisation.")
