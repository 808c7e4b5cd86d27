"""Routes that find associations: the public list (G15) and the search for token holders (G9)."""

from __future__ import annotations

from fastapi import APIRouter

from services.ngo_registry.access import Reader, Tier, caller_tier, filter_tier
from services.ngo_registry.categories.service import load_labels
from services.ngo_registry.dependencies import Filter, Settings, Word
from services.ngo_registry.records.schemas import AssociationSummary
from services.ngo_registry.records.views import association_summary
from services.ngo_registry.search.service import find_associations
from shared.db import SessionDep
from shared.exports import today_vn
from shared.pagination import Page, PageParams

router = APIRouter(prefix="/api/v1/ngo", tags=["ngo"])


@router.get("/public/associations", summary="Public list of associations by field (G14 b, G15)", response_model=Page[AssociationSummary], response_model_exclude_unset=True)
def public_associations(session: SessionDep, settings: Settings, flt: Filter, paging: PageParams, q: Word | None = None) -> Page[AssociationSummary]:
    count, rows = find_associations(session=session, q=q, flt=flt, limit=paging.limit, offset=paging.offset)
    labels, today = load_labels(session=session), today_vn()
    # the public list never shows a rank: the public tier is the same for every row
    results = [filter_tier(association_summary(a, labels, settings.rules, today), Tier.PUBLIC) for a, _ in rows]
    return Page[AssociationSummary].of(paging, results=results, count=count)


@router.get("/associations", summary="Search and list associations (diacritic-insensitive ?q=)", response_model=Page[AssociationSummary], response_model_exclude_unset=True)
def associations(session: SessionDep, settings: Settings, principal: Reader, flt: Filter, paging: PageParams, q: Word | None = None) -> Page[AssociationSummary]:
    count, rows = find_associations(session=session, q=q, flt=flt, limit=paging.limit, offset=paging.offset)
    labels, today = load_labels(session=session), today_vn()
    results = [
        filter_tier(association_summary(a, labels, settings.rules, today, rank=rank), caller_tier(principal, association_id=a.id))
        for a, rank in rows
    ]
    return Page[AssociationSummary].of(paging, results=results, count=count)
