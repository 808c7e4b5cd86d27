"""HTTP route of the change log."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter

from services.ipam.access import Reader
from services.ipam.changelog import service
from services.ipam.changelog.schemas import ChangePublic
from services.ipam.params import IdQ, TextQ
from shared.db import SessionDep
from shared.pagination import Page, PageParams

router = APIRouter(prefix="/api/v1/ipam", tags=["ipam"])


@router.get("/changes", response_model=Page[ChangePublic], summary="The change log (kept at least two years)")
def list_changes(
    session: SessionDep, principal: Reader, paging: PageParams, object_type: TextQ = None, object_id: IdQ = None,
    actor: TextQ = None, since: datetime | None = None, until: datetime | None = None,
) -> Page[ChangePublic]:
    rows, count = service.list_changes(
        session=session, principal=principal, object_type=object_type, object_id=object_id, actor=actor, since=since, until=until, paging=paging,
    )
    return Page[ChangePublic].of(paging, results=[ChangePublic.model_validate(r.model_dump()) for r in rows], count=count)
