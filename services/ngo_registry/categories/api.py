"""Routes of the category lists (G5): read by anyone, edited by the NGO Department."""

from __future__ import annotations

from fastapi import APIRouter

from services.ngo_registry.access import Admin
from services.ngo_registry.categories import service
from services.ngo_registry.categories.catalog import CATEGORY_KINDS
from services.ngo_registry.categories.schemas import (
    CategoriesOut,
    CategoryIn,
    CategoryKind,
    CategoryListOut,
    CategoryOut,
    CategoryPatch,
)
from services.ngo_registry.dependencies import Word
from shared.db import SessionDep

router = APIRouter(prefix="/api/v1/ngo", tags=["ngo"])


@router.get("/categories", summary="Every category list", response_model=CategoriesOut, response_model_exclude_unset=True)
def categories(session: SessionDep) -> CategoriesOut:
    items = service.list_categories(session=session)
    kinds = [CategoryKind(kind=k, label_vi=v) for k, v in CATEGORY_KINDS.items()]
    return CategoriesOut(kinds=kinds, count=len(items), items=items)


@router.get("/categories/{kind}", summary="One category list", response_model=CategoryListOut, response_model_exclude_unset=True)
def category_list(kind: Word, session: SessionDep) -> CategoryListOut:
    items = service.list_categories(session=session, kind=kind)
    return CategoryListOut(kind=kind, label_vi=CATEGORY_KINDS[kind], count=len(items), items=items)


@router.post("/categories/{kind}", status_code=201, summary="Add a category entry (NGO Department)", response_model=CategoryOut, response_model_exclude_unset=True)
def category_create(_: Admin, kind: Word, body: CategoryIn, session: SessionDep) -> CategoryOut:
    return service.create_category(session=session, kind=kind, code=body.code, label_vi=body.label_vi, position=body.position)


@router.patch("/categories/{kind}/{code}", summary="Relabel or deactivate a category entry", response_model=CategoryOut, response_model_exclude_unset=True)
def category_update(_: Admin, kind: Word, code: Word, body: CategoryPatch, session: SessionDep) -> CategoryOut:
    return service.update_category(session=session, kind=kind, code=code, label_vi=body.label_vi, active=body.active, position=body.position)
