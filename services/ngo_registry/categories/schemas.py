"""Request and response models of the category lists (G5)."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from services.ngo_registry.schemas import In, Out
from shared.types import Name, PatchModel


class CategoryIn(In):
    code: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")
    label_vi: Name = Field(min_length=1, max_length=300)
    position: int = Field(default=0, ge=-1_000_000, le=1_000_000)


class CategoryPatch(PatchModel):
    """Relabel, reorder or (de)activate an entry; every column is required, so none takes ``null``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    label_vi: Name | None = Field(default=None, min_length=1, max_length=300)
    active: bool | None = None
    position: int | None = Field(default=None, ge=-1_000_000, le=1_000_000)


class Label(Out):
    """A category code and its Vietnamese label."""

    code: str
    label: str


class CategoryOut(Out):
    kind: str
    code: str
    label_vi: str
    active: bool
    position: int


class CategoryKind(Out):
    kind: str
    label_vi: str


class CategoriesOut(Out):
    kinds: list[CategoryKind]
    count: int
    items: list[CategoryOut]


class CategoryListOut(Out):
    kind: str
    label_vi: str
    count: int
    items: list[CategoryOut]


