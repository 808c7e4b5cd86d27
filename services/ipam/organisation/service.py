"""Agencies (N2), the N1 catalogue, subscriptions and declared demand (N3)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_, select
from sqlmodel import Session, col

from services.ipam import access
from services.ipam.addressing.models import Prefix
from services.ipam.changelog.models import ChangeAction
from services.ipam.changelog.service import record_change, snapshot
from services.ipam.organisation.models import (
    AccessLevel,
    Agency,
    AgencyLevel,
    IpDemand,
    NetworkService,
    ServiceCategory,
    Subscription,
)
from services.ipam.organisation.schemas import (
    AgencyCreate,
    AgencyUpdate,
    DemandUpsert,
    ServiceCreate,
    ServiceUpdate,
    SubscriptionCreate,
)
from services.ipam.rows import apply_changes, enum_eq, get_or_404, id_eq, not_found, page_of
from shared.auth import Principal
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.pagination import Paging

#: the level an agency's parent has (N2: province -> district -> commune); a province has none
_LEVEL_PARENT: dict[AgencyLevel, AgencyLevel | None] = {
    AgencyLevel.province: None, AgencyLevel.district: AgencyLevel.province, AgencyLevel.commune: AgencyLevel.district,
}
_ORG_ID_IS_ADMINS = "Only the department (ipam:admin) links an agency to a gateway organisation (org_id)."


# -- agencies -------------------------------------------------------------------------------------
def _check_agency_parent(session: Session, level: AgencyLevel, parent_id: int | None) -> None:
    expected = _LEVEL_PARENT[level]
    if expected is None:
        if parent_id is not None:
            raise InvalidInput("A province-level agency has no parent; leave parent_id empty.", errors=[{"field": "parent_id", "message": "must be empty for level province"}])
        return
    if parent_id is None:
        return  # a level-I or stand-alone body may hang directly under nothing
    parent = get_or_404(session=session, model=Agency, obj_id=parent_id, label="Agency")
    if parent.level != expected and not (level == "district" and parent.level == "province") and not (
        level == "commune" and parent.level in {"district", "province"}
    ):
        raise InvalidInput(
            f"A {level}-level agency must sit under a {expected}-level agency, but agency {parent_id} is {parent.level}-level.",
            errors=[{"field": "parent_id", "message": f"must be a {expected}-level agency"}],
        )


def create_agency(*, session: Session, principal: Principal, data: AgencyCreate) -> Agency:
    """Create a user agency (N2)."""
    if data.org_id is not None and not access.scope_of(session=session, principal=principal).everything:
        raise Forbidden(_ORG_ID_IS_ADMINS)
    if session.execute(select(col(Agency.id)).where(col(Agency.code) == data.code)).first():
        raise Conflict(f"An agency with code '{data.code}' already exists; choose another code.", errors=[{"field": "code", "message": "already used"}])
    _check_agency_parent(session, data.level, data.parent_id)
    agency = Agency(**data.model_dump(exclude={"contacts"}), contacts=[c.model_dump() for c in data.contacts])
    session.add(agency)
    session.flush()
    record_change(session=session, principal=principal, action=ChangeAction.create, obj=agency, before=None, after=snapshot(agency))
    return agency


def list_agencies(
    *, session: Session, level: str | None, parent_id: int | None, q: str | None, access_level: str | None, paging: Paging
) -> tuple[list[Agency], int]:
    """Agencies, filtered and paginated."""
    conds: list[ColumnElement[bool]] = []
    if level:
        conds.append(enum_eq(Agency.level, AgencyLevel, level))
    if parent_id is not None:
        conds.append(id_eq(Agency.parent_id, parent_id))
    if access_level:
        conds.append(enum_eq(Agency.access_level, AccessLevel, access_level))
    if q:
        like = f"%{q}%"
        conds.append(or_(col(Agency.name).like(like), col(Agency.code).like(like)))
    return page_of(session=session, model=Agency, conds=conds, order=[Agency.id], paging=paging)


def get_agency(*, session: Session, agency_id: int) -> Agency:
    """One agency or 404."""
    return get_or_404(session=session, model=Agency, obj_id=agency_id, label="Agency")


def own_agency(*, session: Session, principal: Principal, agency_id: int) -> Agency:
    """One of the caller's agencies (every agency for the department), or 404."""
    if not access.scope_of(session=session, principal=principal).owns_agency(agency_id):
        raise not_found("Agency", agency_id)
    return get_agency(session=session, agency_id=agency_id)


def update_agency(*, session: Session, principal: Principal, agency_id: int, data: AgencyUpdate) -> Agency:
    """Change an agency's fields (a non-administrator: only its own agency, and never its org_id)."""
    agency = own_agency(session=session, principal=principal, agency_id=agency_id)
    before = snapshot(agency)
    changes = data.changes()
    if "org_id" in changes and not access.scope_of(session=session, principal=principal).everything:
        raise Forbidden(_ORG_ID_IS_ADMINS)
    if "contacts" in changes and data.contacts is not None:
        changes["contacts"] = [c.model_dump() for c in data.contacts]
    if "parent_id" in changes or "level" in changes:
        if changes.get("parent_id") == agency_id:
            raise InvalidInput("An agency cannot be its own parent.", errors=[{"field": "parent_id", "message": "self reference"}])
        _check_agency_parent(session, changes.get("level") or agency.level, changes.get("parent_id", agency.parent_id))
    apply_changes(agency, changes)
    session.flush()
    record_change(session=session, principal=principal, action=ChangeAction.update, obj=agency, before=before, after=snapshot(agency))
    return agency


def delete_agency(*, session: Session, principal: Principal, agency_id: int) -> None:
    """Delete an agency that has no children, prefixes or subscriptions."""
    agency = own_agency(session=session, principal=principal, agency_id=agency_id)
    uses = {
        "child agencies": session.execute(select(func.count()).where(col(Agency.parent_id) == agency_id)).scalar_one(),
        "prefixes": session.execute(select(func.count()).where(col(Prefix.agency_id) == agency_id)).scalar_one(),
        "subscriptions": session.execute(select(func.count()).where(col(Subscription.agency_id) == agency_id)).scalar_one(),
    }
    used = {k: v for k, v in uses.items() if v}
    if used:
        what = ", ".join(f"{v} {k}" for k, v in used.items())
        raise Conflict(f"Agency {agency_id} still has {what}; move or release them first.")
    before = snapshot(agency)
    session.delete(agency)
    session.flush()
    record_change(session=session, principal=principal, action=ChangeAction.delete, obj=agency, before=before, after=None)


# -- catalogue ----------------------------------------------------------------------------------
def create_service(*, session: Session, principal: Principal, category: ServiceCategory, data: ServiceCreate) -> NetworkService:
    """Add a network service or an application to the N1 catalogue."""
    if session.execute(select(col(NetworkService.id)).where(col(NetworkService.code) == data.code)).first():
        raise Conflict(f"A catalogue entry with code '{data.code}' already exists.", errors=[{"field": "code", "message": "already used"}])
    item = NetworkService(**data.model_dump(), category=category)
    session.add(item)
    session.flush()
    record_change(session=session, principal=principal, action=ChangeAction.create, obj=item, before=None, after=snapshot(item))
    return item


def list_services(*, session: Session, category: ServiceCategory | None, paging: Paging) -> tuple[list[NetworkService], int]:
    """Catalogue entries of one category (or all)."""
    conds = [col(NetworkService.category) == category] if category else []
    return page_of(session=session, model=NetworkService, conds=conds, order=[NetworkService.id], paging=paging)


def get_service(*, session: Session, service_id: int, category: ServiceCategory | None = None) -> NetworkService:
    """One catalogue entry or 404."""
    item = get_or_404(session=session, model=NetworkService, obj_id=service_id, label="Network service")
    if category and item.category != category:
        raise NotFound(f"Catalogue entry {service_id} is not a {category.value} entry.")
    return item


def update_service(*, session: Session, principal: Principal, service_id: int, category: ServiceCategory, data: ServiceUpdate) -> NetworkService:
    """Change a catalogue entry."""
    item = get_service(session=session, service_id=service_id, category=category)
    before = snapshot(item)
    apply_changes(item, data.changes())
    session.flush()
    record_change(session=session, principal=principal, action=ChangeAction.update, obj=item, before=before, after=snapshot(item))
    return item


def delete_service(*, session: Session, principal: Principal, service_id: int, category: ServiceCategory) -> None:
    """Remove an unused catalogue entry."""
    item = get_service(session=session, service_id=service_id, category=category)
    n = session.execute(select(func.count()).where(col(Prefix.service_id) == service_id)).scalar_one()
    s = session.execute(select(func.count()).where(col(Subscription.service_id) == service_id)).scalar_one()
    if n or s:
        raise Conflict(f"Catalogue entry {service_id} is used by {n} prefixes and {s} subscriptions; release them first.")
    before = snapshot(item)
    session.delete(item)
    session.flush()
    record_change(session=session, principal=principal, action=ChangeAction.delete, obj=item, before=before, after=None)


# -- subscriptions and demand ---------------------------------------------------------------------
def create_subscription(*, session: Session, principal: Principal, data: SubscriptionCreate) -> Subscription:
    """Record that an agency uses a service (N1)."""
    own_agency(session=session, principal=principal, agency_id=data.agency_id)
    get_service(session=session, service_id=data.service_id)
    existing = session.execute(
        select(col(Subscription.id)).where(col(Subscription.agency_id) == data.agency_id, col(Subscription.service_id) == data.service_id)
    ).first()
    if existing:
        raise Conflict(f"Agency {data.agency_id} already subscribes to service {data.service_id} (subscription {existing[0]}).")
    sub = Subscription(**data.model_dump())
    session.add(sub)
    session.flush()
    record_change(session=session, principal=principal, action=ChangeAction.create, obj=sub, before=None, after=snapshot(sub))
    return sub


def list_subscriptions(
    *, session: Session, principal: Principal, agency_id: int | None, service_id: int | None, paging: Paging
) -> tuple[list[Subscription], int]:
    """Subscriptions of the caller's agencies, filtered."""
    conds = access.agency_rows(Subscription.agency_id, access.scope_of(session=session, principal=principal), agency_id=agency_id)
    if service_id is not None:
        conds.append(id_eq(Subscription.service_id, service_id))
    return page_of(session=session, model=Subscription, conds=conds, order=[Subscription.id], paging=paging)


def delete_subscription(*, session: Session, principal: Principal, subscription_id: int) -> None:
    """End a subscription (of one of the caller's agencies)."""
    sub = get_or_404(session=session, model=Subscription, obj_id=subscription_id, label="Subscription")
    if not access.scope_of(session=session, principal=principal).owns_agency(sub.agency_id):
        raise not_found("Subscription", subscription_id)
    before = snapshot(sub)
    session.delete(sub)
    session.flush()
    record_change(session=session, principal=principal, action=ChangeAction.delete, obj=sub, before=before, after=None)


def upsert_demand(*, session: Session, principal: Principal, data: DemandUpsert) -> IpDemand:
    """Declare (or correct) an agency's demand for a year."""
    own_agency(session=session, principal=principal, agency_id=data.agency_id)
    row = session.execute(
        select(IpDemand).where(col(IpDemand.agency_id) == data.agency_id, col(IpDemand.year) == data.year)
    ).scalar_one_or_none()
    if row is None:
        row = IpDemand(**data.model_dump())
        session.add(row)
        session.flush()
        record_change(session=session, principal=principal, action=ChangeAction.create, obj=row, before=None, after=snapshot(row))
    else:
        before = snapshot(row)
        apply_changes(row, data.model_dump())
        session.flush()
        record_change(session=session, principal=principal, action=ChangeAction.update, obj=row, before=before, after=snapshot(row))
    return row


def list_demands(
    *, session: Session, principal: Principal, agency_id: int | None, year: int | None, paging: Paging
) -> tuple[list[IpDemand], int]:
    """Declared demands of the caller's agencies."""
    conds = access.agency_rows(IpDemand.agency_id, access.scope_of(session=session, principal=principal), agency_id=agency_id)
    if year is not None:
        conds.append(col(IpDemand.year) == year)
    return page_of(session=session, model=IpDemand, conds=conds, order=[IpDemand.year, IpDemand.agency_id], paging=paging)
