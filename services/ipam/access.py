# mypy: disable-error-code="arg-type,call-overload,union-attr,attr-defined"
# (SQLModel declares columns as their Python types; in query expressions they are SQL columns)
"""Object-level authorisation of the ipam service: which prefixes and addresses a caller may touch.

The one rule, applied by :func:`readable` to every query and by the ``Current*`` dependencies of
``api.py`` to every object loaded by id:

* a caller holding ``ipam:admin`` (the department) sees everything;
* any other caller sees the prefixes and addresses of the agencies whose ``org_id`` is the
  token's ``org`` claim (the gateway organisation the agency belongs to), and everything inside
  them: a prefix or an address is readable when a prefix of one of those agencies contains it
  (same VRF, same family). A token whose organisation is no agency's sees none.

Writes go through the same filter, so another agency's object is a 404, never a 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, false, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from services.ipam.models import Agency, IpAddress, Prefix
from shared.auth import Principal
from shared.errors import InvalidInput


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


#: what trusted in-process callers (demo data, event handlers, benchmarks) act with
EVERYTHING = Scope(agencies=None)


def scope_of(session: Session, principal: Principal) -> Scope:
    """The caller's scope: everything for ``ipam:admin``, else the agencies of the token's organisation."""
    if principal.is_admin("ipam"):
        return EVERYTHING
    if not principal.org:
        return Scope(agencies=frozenset())
    ids = session.execute(select(Agency.id).where(Agency.org_id == principal.org)).scalars().all()
    return Scope(agencies=frozenset(int(i) for i in ids))


def _owner_covers(scope: Scope, vrf_key: Any, family: Any, first_hex: Any, last_hex: Any) -> Any:
    """SQL: some prefix of the caller's agencies contains [first_hex, last_hex] in the VRF and family."""
    assert scope.agencies is not None
    if not scope.agencies:
        return false()
    owner = aliased(Prefix)
    return exists().where(
        owner.agency_id.in_(sorted(scope.agencies)),
        owner.vrf_key == vrf_key,
        owner.family == family,
        owner.first_hex <= first_hex,
        owner.last_hex >= last_hex,
    )


def readable_condition(model: type[Prefix] | type[IpAddress], scope: Scope) -> Any:
    """The WHERE clause that keeps only the rows of ``model`` the caller may see (``None``: no filter)."""
    if scope.everything:
        return None
    if model is Prefix:
        return _owner_covers(scope, Prefix.vrf_key, Prefix.family, Prefix.first_hex, Prefix.last_hex)
    return _owner_covers(scope, IpAddress.vrf_key, IpAddress.family, IpAddress.value_hex, IpAddress.value_hex)


def readable(query: Any, model: type[Prefix] | type[IpAddress], scope: Scope) -> Any:
    """``query`` narrowed to the rows of ``model`` (prefixes or addresses) the caller may see."""
    cond = readable_condition(model, scope)
    return query if cond is None else query.where(cond)


def covers(session: Session, scope: Scope, *, vrf_key: int, family: int, first_hex: str, last_hex: str) -> bool:
    """True when the caller may act on the space [first_hex, last_hex] of a VRF (it lies in its agencies' space)."""
    if scope.everything:
        return True
    return bool(session.execute(select(_owner_covers(scope, vrf_key, family, first_hex, last_hex))).scalar())


def require_space(session: Session, scope: Scope, *, vrf_key: int, family: int, first_hex: str, last_hex: str, what: str, field: str) -> None:
    """422 unless the caller may create ``what`` there: only inside a prefix of its own agency."""
    if not covers(session, scope, vrf_key=vrf_key, family=family, first_hex=first_hex, last_hex=last_hex):
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


def agency_condition(column: Any, scope: Scope) -> Any:
    """The WHERE clause for rows that belong to an agency by ``column`` (subscriptions, demands)."""
    if scope.agencies is None:
        return None
    return column.in_(sorted(scope.agencies)) if scope.agencies else false()
