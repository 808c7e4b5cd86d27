"""Object-level authorisation of the ipam service: which prefixes and addresses a caller may touch.

The one rule, applied by :func:`readable` to every query and by the ``Current*``/``Writable*``
dependencies below to every object loaded by id:

* a caller holding ``ipam:admin`` (the department) sees everything;
* any other caller sees the prefixes and addresses of the agencies whose ``org_id`` is the
  token's ``org`` claim (the gateway organisation the agency belongs to), and everything inside
  them: a prefix or an address is readable when a prefix of one of those agencies contains it
  (same VRF, same family). A token whose organisation is no agency's sees none.

Writes go through the same filter, so another agency's object is a 404, never a 403. Service
functions take the caller as ``principal`` and ask :func:`scope_of` which agencies it acts for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path
from sqlalchemy import ColumnElement, Select, exists, false, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from services.ipam.addressing.models import IpAddress, IpRange, Prefix
from services.ipam.organisation.models import Agency
from services.ipam.rows import get_or_404, id_eq, not_found
from shared.auth import Principal, require_scopes
from shared.db import SessionDep
from shared.errors import InvalidInput
from shared.types import MAX_ID

Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])

Reader = Annotated[Principal, require_scopes("ipam:read")]
Writer = Annotated[Principal, require_scopes("ipam:write")]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


@dataclass(frozen=True)
class Scope:
    """The agencies a caller acts for: ``None`` means every agency (the department)."""

    agencies: frozenset[int] | None

    @property
    def everything(self) -> bool:
        return self.agencies is None

    def owns_agency(self, agency_id: int | None) -> bool:
        """True when ``agency_id`` is one of the caller's agencies (always for the department)."""
        return self.agencies is None or (agency_id is not None and agency_id in self.agencies)


EVERYTHING = Scope(agencies=None)
_SCOPES = "govnet_ipam_scopes"


def system_principal(sub: str) -> Principal:
    """A trusted in-process caller (demo data, event handlers, benchmarks): acts as the department."""
    return Principal(sub=sub, org=None, scopes=frozenset({"ipam:read", "ipam:write", "ipam:admin"}), grant=None)


def scope_of(*, session: Session, principal: Principal) -> Scope:
    """The caller's scope: everything for ``ipam:admin``, else the agencies of the token's organisation.

    Read once per unit of work (kept in ``session.info``), as the request's other checks see it."""
    if principal.is_admin("ipam"):
        return EVERYTHING
    if not principal.org:
        return Scope(agencies=frozenset())
    cache: dict[str, Scope] = session.info.setdefault(_SCOPES, {})
    if principal.org not in cache:
        ids = session.execute(select(col(Agency.id)).where(col(Agency.org_id) == principal.org)).scalars().all()
        cache[principal.org] = Scope(agencies=frozenset(int(i) for i in ids if i is not None))
    return cache[principal.org]


def _owner_covers(scope: Scope, vrf_key: Any, family: Any, first_hex: Any, last_hex: Any) -> ColumnElement[bool]:
    """SQL: some prefix of the caller's agencies contains [first_hex, last_hex] in the VRF and family."""
    assert scope.agencies is not None
    if not scope.agencies:
        return false()
    owner = aliased(Prefix)
    return exists().where(
        col(owner.agency_id).in_(sorted(scope.agencies)),
        col(owner.vrf_key) == vrf_key,
        col(owner.family) == family,
        col(owner.first_hex) <= first_hex,
        col(owner.last_hex) >= last_hex,
    )


def readable_condition(model: type[Prefix] | type[IpAddress] | type[IpRange], scope: Scope) -> ColumnElement[bool] | None:
    """The WHERE clause that keeps only the rows of ``model`` the caller may see (``None``: no filter)."""
    if scope.everything:
        return None
    if model is Prefix:
        return _owner_covers(scope, col(Prefix.vrf_key), col(Prefix.family), col(Prefix.first_hex), col(Prefix.last_hex))
    if model is IpRange:
        return _owner_covers(scope, col(IpRange.vrf_key), col(IpRange.family), col(IpRange.start_hex), col(IpRange.end_hex))
    return _owner_covers(scope, col(IpAddress.vrf_key), col(IpAddress.family), col(IpAddress.value_hex), col(IpAddress.value_hex))


def readable_conditions(model: type[Prefix] | type[IpAddress] | type[IpRange], scope: Scope) -> list[ColumnElement[bool]]:
    """:func:`readable_condition` as a list of WHERE clauses to extend (empty: no filter)."""
    cond = readable_condition(model, scope)
    return [] if cond is None else [cond]


def readable(query: Q, model: type[Prefix] | type[IpAddress] | type[IpRange], scope: Scope) -> Q:
    """``query`` narrowed to the rows of ``model`` (prefixes or addresses) the caller may see."""
    cond = readable_condition(model, scope)
    return query if cond is None else query.where(cond)


def covers(*, session: Session, scope: Scope, vrf_key: int, family: int, first_hex: str, last_hex: str) -> bool:
    """True when the caller may act on the space [first_hex, last_hex] of a VRF (it lies in its agencies' space)."""
    if scope.everything:
        return True
    return bool(session.execute(select(_owner_covers(scope, vrf_key, family, first_hex, last_hex))).scalar())


def require_space(*, session: Session, scope: Scope, vrf_key: int, family: int, first_hex: str, last_hex: str, what: str, field: str) -> None:
    """422 unless the caller may create ``what`` there: only inside a prefix of its own agency."""
    if not covers(session=session, scope=scope, vrf_key=vrf_key, family=family, first_hex=first_hex, last_hex=last_hex):
        raise InvalidInput(
            f"{what} is not inside a prefix of your agency; only the department (ipam:admin) writes outside it.",
            errors=[{"field": field, "message": "outside your agency's address space"}],
        )


def require_own_agency(scope: Scope, agency_id: int | None, *, field: str = "agency_id") -> None:
    """422 when a non-administrator names an agency other than its own."""
    if agency_id is not None and not scope.owns_agency(agency_id):
        raise InvalidInput(
            f"Agency {agency_id} is not your agency; you may only name your own agency.",
            errors=[{"field": field, "message": "not your agency"}],
        )


def agency_condition(column: Any, scope: Scope) -> ColumnElement[bool] | None:
    """The WHERE clause for rows that belong to an agency by ``column`` (subscriptions, demands)."""
    if scope.agencies is None:
        return None
    return col(column).in_(sorted(scope.agencies)) if scope.agencies else false()


def agency_rows(column: Any, scope: Scope, *, agency_id: int | None) -> list[ColumnElement[bool]]:
    """WHERE clauses for a list of rows that belong to an agency by ``column``: the caller's agencies,
    and only ``agency_id`` when the caller asks for one."""
    conds = [c for c in (agency_condition(column, scope),) if c is not None]
    if agency_id is not None:
        conds.append(id_eq(column, agency_id))
    return conds


# -- objects loaded by id, through the caller's scope (another agency's object is a 404) -----------
def readable_prefix(*, session: Session, principal: Principal, prefix_id: int) -> Prefix:
    """One prefix the caller may see, or 404."""
    scope = scope_of(session=session, principal=principal)
    if scope.everything:
        return get_or_404(session=session, model=Prefix, obj_id=prefix_id, label="Prefix")
    found: Prefix | None = session.execute(readable(select(Prefix).where(id_eq(Prefix.id, prefix_id)), Prefix, scope)).scalar_one_or_none()
    if found is None:
        raise not_found("Prefix", prefix_id)
    return found


def readable_address(*, session: Session, principal: Principal, address_id: int) -> IpAddress:
    """One address the caller may see, or 404."""
    scope = scope_of(session=session, principal=principal)
    if scope.everything:
        return get_or_404(session=session, model=IpAddress, obj_id=address_id, label="IP address")
    found: IpAddress | None = session.execute(
        readable(select(IpAddress).where(id_eq(IpAddress.id, address_id)), IpAddress, scope)
    ).scalar_one_or_none()
    if found is None:
        raise not_found("IP address", address_id)
    return found


def readable_range(*, session: Session, principal: Principal, range_id: int) -> IpRange:
    """One IP range the caller may see, or 404."""
    scope = scope_of(session=session, principal=principal)
    if scope.everything:
        return get_or_404(session=session, model=IpRange, obj_id=range_id, label="IP range")
    found: IpRange | None = session.execute(readable(select(IpRange).where(id_eq(IpRange.id, range_id)), IpRange, scope)).scalar_one_or_none()
    if found is None:
        raise not_found("IP range", range_id)
    return found


def _current_prefix(prefix_id: PathId, session: SessionDep, principal: Reader) -> Prefix:
    return readable_prefix(session=session, principal=principal, prefix_id=prefix_id)


def _writable_prefix(prefix_id: PathId, session: SessionDep, principal: Writer) -> Prefix:
    return readable_prefix(session=session, principal=principal, prefix_id=prefix_id)


def _current_address(address_id: PathId, session: SessionDep, principal: Reader) -> IpAddress:
    return readable_address(session=session, principal=principal, address_id=address_id)


def _writable_address(address_id: PathId, session: SessionDep, principal: Writer) -> IpAddress:
    return readable_address(session=session, principal=principal, address_id=address_id)


CurrentPrefix = Annotated[Prefix, Depends(_current_prefix)]
WritablePrefix = Annotated[Prefix, Depends(_writable_prefix)]
CurrentAddress = Annotated[IpAddress, Depends(_current_address)]
WritableAddress = Annotated[IpAddress, Depends(_writable_address)]


def _current_range(range_id: PathId, session: SessionDep, principal: Reader) -> IpRange:
    return readable_range(session=session, principal=principal, range_id=range_id)


def _writable_range(range_id: PathId, session: SessionDep, principal: Writer) -> IpRange:
    return readable_range(session=session, principal=principal, range_id=range_id)


CurrentRange = Annotated[IpRange, Depends(_current_range)]
WritableRange = Annotated[IpRange, Depends(_writable_range)]
