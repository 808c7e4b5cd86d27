"""VRFs: the routing domains prefixes and addresses live in (0 is the global table)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session, col

from services.ipam.addressing.models import Prefix, Vrf
from services.ipam.addressing.schemas import VrfCreate
from services.ipam.changelog.models import ChangeAction
from services.ipam.changelog.service import record_change, snapshot
from services.ipam.organisation.service import get_service
from services.ipam.rows import get_or_404, page_of
from shared.auth import Principal
from shared.errors import Conflict
from shared.pagination import Paging


def create_vrf(*, session: Session, principal: Principal, data: VrfCreate) -> Vrf:
    """Create a routing domain."""
    if session.execute(select(col(Vrf.id)).where(col(Vrf.name) == data.name)).first():
        raise Conflict(f"A VRF named '{data.name}' already exists.", errors=[{"field": "name", "message": "already used"}])
    if data.service_id is not None:
        get_service(session=session, service_id=data.service_id)
    vrf = Vrf(**data.model_dump())
    session.add(vrf)
    session.flush()
    record_change(session=session, principal=principal, action=ChangeAction.create, obj=vrf, before=None, after=snapshot(vrf))
    return vrf


def list_vrfs(*, session: Session, paging: Paging) -> tuple[list[Vrf], int]:
    """All VRFs."""
    return page_of(session=session, model=Vrf, conds=[], order=[Vrf.id], paging=paging)


def get_vrf(*, session: Session, vrf_id: int) -> Vrf:
    """One VRF or 404."""
    return get_or_404(session=session, model=Vrf, obj_id=vrf_id, label="VRF")


def delete_vrf(*, session: Session, principal: Principal, vrf_id: int) -> None:
    """Delete an empty VRF."""
    vrf = get_vrf(session=session, vrf_id=vrf_id)
    n = session.execute(select(func.count()).where(col(Prefix.vrf_key) == vrf_id)).scalar_one()
    if n:
        raise Conflict(f"VRF {vrf_id} still holds {n} prefixes; release them first.")
    before = snapshot(vrf)
    session.delete(vrf)
    session.flush()
    record_change(session=session, principal=principal, action=ChangeAction.delete, obj=vrf, before=before, after=None)


def vrf_key(*, session: Session, vrf_id: int | None) -> int:
    """The NOT NULL key of a VRF (0: the global table); 404 when the VRF does not exist."""
    if vrf_id is None:
        return 0
    get_vrf(session=session, vrf_id=vrf_id)
    return vrf_id
