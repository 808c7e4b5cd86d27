"""The category lists' table (danh mục, G5)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field

from services.ngo_registry.database import Base


class Category(Base, table=True):
    """One entry of a category list (danh mục, G5)."""

    __tablename__ = "category"
    __table_args__ = (sa.UniqueConstraint("kind", "code"), {"sqlite_autoincrement": True})

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    code: str = Field(max_length=60)
    label_vi: str = Field(max_length=300)
    position: int = 0
    active: bool = True
