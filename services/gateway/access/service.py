"""Organisations, registrations (phiếu đăng ký) and grants: the access an organisation holds (G7, G12, G13).

Plain keyword-only functions taking a session; they flush, never commit, and raise domain errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from services.gateway.events import GRANT_APPROVED, GRANT_RESUMED, GRANT_REVOKED, outbox
from services.gateway.models import (
    Grant,
    GrantStatus,
    Organisation,
    OrganisationKind,
    Registration,
    RegistrationState,
    aware,
    utcnow,
)
from services.gateway.naming import clean_name
from services.gateway.routes import KNOWN_SCOPES, NGO_TIERS
from services.gateway.scoping import readable, window
from shared.auth import Principal
from shared.db import enum_eq
from shared.errors import Conflict, InvalidInput, NotFound
from shared.pagination import Paging

OPERATOR_ORG = "Vụ Tổ chức phi chính phủ - Bộ Nội vụ (quản trị GovNet)"
#: a filter naming no state matches nothing (an empty page, as when these columns were plain text)


# -- organisations -----------------------------------------------------------------------
def create_organisation(*, session: Session, name: str, kind: str, contact_email: str | None = None) -> Organisation:
    """Register an organisation (agency, association, other system)."""
    name = clean_name("name", name)
    if not name:
        raise InvalidInput("Give the organisation a name.", errors=[{"field": "name", "message": "required"}])
    if session.exec(select(Organisation).where(Organisation.name == name)).first():
        raise Conflict(f"An organisation named '{name}' already exists.")
    org = Organisation(name=name, kind=OrganisationKind(kind), contact_email=contact_email)
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
    """The organisation with this id; 404 otherwise."""
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"No organisation has id '{org_id}'.")
    return org


def list_organisations(*, session: Session, principal: Principal, paging: Paging) -> tuple[list[Organisation], int]:
    """The organisations the caller may see, by name."""
    stmt = readable(select(Organisation), Organisation.id, principal=principal).order_by(col(Organisation.name))
    return window(session=session, stmt=stmt, paging=paging)


# -- grants --------------------------------------------------------------------------------
def grant_effective_status(grant: Grant, now: datetime | None = None) -> GrantStatus:
    """``expired`` once past ``valid_until`` even if the row still says active."""
    now = now or utcnow()
    if grant.status == GrantStatus.active and (aware(grant.valid_until) or now) <= now:
        return GrantStatus.expired
    return GrantStatus(grant.status)


def active_grants(*, session: Session, org_id: str) -> list[Grant]:
    """The organisation's grants in force now."""
    now = utcnow()
    rows = session.exec(
        select(Grant).where(Grant.org_id == org_id, Grant.status == GrantStatus.active).order_by(col(Grant.created_at))
    )
    return [g for g in rows if (aware(g.valid_from) or now) <= now < (aware(g.valid_until) or now)]


@dataclass
class ScopeDecision:
    """The scopes a token carries and the grants that back them."""

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
    """The grant with this id; 404 otherwise."""
    grant = session.get(Grant, grant_id)
    if grant is None:
        raise NotFound(f"No grant has id '{grant_id}'.")
    return grant


def list_grants(
    *, session: Session, principal: Principal, paging: Paging, status: str | None = None, org_id: str | None = None
) -> tuple[list[Grant], int]:
    """The grants the caller may see, oldest first (filtered on the stored status)."""
    stmt = readable(select(Grant), Grant.org_id, principal=principal, org_id=org_id)
    if status:
        stmt = stmt.where(enum_eq(Grant.status, GrantStatus, status))
    return window(session=session, stmt=stmt.order_by(col(Grant.created_at)), paging=paging)


def check_scopes(scopes: list[str]) -> None:
    """Refuse scopes the suite does not know (422 naming each)."""
    unknown = sorted(set(scopes) - set(KNOWN_SCOPES))
    if unknown:
        raise InvalidInput(
            f"Unknown scope(s): {', '.join(unknown)}. Known scopes: {', '.join(KNOWN_SCOPES)}.",
            errors=[{"field": "scopes", "message": f"unknown: {s}"} for s in unknown],
        )


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
    outbox.emit(session, GRANT_APPROVED, subject=grant.id,
                data={"grant_id": grant.id, "org": org_id, "scopes": grant.scopes,
                      "valid_from": valid_from.isoformat(), "valid_until": valid_until.isoformat()})
    return grant


_TRANSITIONS: dict[str, tuple[set[GrantStatus], GrantStatus]] = {
    "revoke": ({GrantStatus.active, GrantStatus.suspended}, GrantStatus.revoked),
    "suspend": ({GrantStatus.active}, GrantStatus.suspended),
    "resume": ({GrantStatus.suspended}, GrantStatus.active),
}


def change_grant_status(*, session: Session, principal: Principal, grant_id: str, action: str, reason: str | None) -> Grant:
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
    event = GRANT_RESUMED if target == GrantStatus.active else GRANT_REVOKED
    outbox.emit(session, event, subject=grant.id,
                data={"grant_id": grant.id, "org": grant.org_id, "status": target, "reason": reason, "by": principal.sub})
    return grant


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


# -- registrations ---------------------------------------------------------------------------
def tier_scopes(tiers: list[str]) -> list[str]:
    """The NGO read scopes of data tiers (G2: basic, advanced, value_added)."""
    bad = [t for t in tiers if t not in NGO_TIERS]
    if bad:
        raise InvalidInput(f"Unknown NGO data tier(s): {', '.join(bad)}; use {', '.join(NGO_TIERS)}.",
                           errors=[{"field": "tiers", "message": f"unknown: {t}"} for t in bad])
    return [f"ngo:read:{t}" for t in tiers]


def submit_registration(
    *,
    session: Session,
    principal: Principal,
    org_id: str,
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
    reg = Registration(org_id=org_id, submitted_by=principal.sub, officials=officials, purpose=purpose,
                       requested_scopes=scopes, tiers=tiers, period_from=period_from, period_until=period_until)
    session.add(reg)
    session.flush()
    return reg


def get_registration(*, session: Session, registration_id: str) -> Registration:
    """The registration with this id; 404 otherwise."""
    reg = session.get(Registration, registration_id)
    if reg is None:
        raise NotFound(f"No registration has id '{registration_id}'.")
    return reg


def list_registrations(
    *, session: Session, principal: Principal, paging: Paging, state: str | None = None, org_id: str | None = None
) -> tuple[list[Registration], int]:
    """The registrations the caller may see, oldest first."""
    stmt = readable(select(Registration), Registration.org_id, principal=principal, org_id=org_id)
    if state:
        stmt = stmt.where(enum_eq(Registration.state, RegistrationState, state))
    return window(session=session, stmt=stmt.order_by(col(Registration.created_at)), paging=paging)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def approve_registration(
    *, session: Session, principal: Principal, registration_id: str, scopes: list[str] | None = None,
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
    reg.decided_by, reg.decided_at, reg.grant_id = principal.sub, utcnow(), grant.id
    session.add(reg)
    session.flush()
    return reg, grant


def reject_registration(*, session: Session, principal: Principal, registration_id: str, reason: str) -> Registration:
    """Reject a submitted registration with a reason the organisation can act on."""
    reg = get_registration(session=session, registration_id=registration_id)
    if reg.state != RegistrationState.submitted:
        raise Conflict(f"The registration is already {reg.state}.")
    if not reason.strip():
        raise InvalidInput("Say why the registration is rejected.", errors=[{"field": "reason", "message": "required"}])
    reg.state = RegistrationState.rejected
    reg.reason, reg.decided_by, reg.decided_at = reason.strip(), principal.sub, utcnow()
    session.add(reg)
    session.flush()
    return reg
