"""The category lists (danh mục, G5): labels by code, and edits that never change a code."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from services.ngo_registry.categories.catalog import CATEGORY_KINDS
from services.ngo_registry.categories.models import Category
from services.ngo_registry.categories.schemas import CategoryOut, Label
from shared.errors import Conflict, NotFound


@dataclass
class Labels:
    """Category labels by (kind, code), loaded once per request."""

    by_kind: dict[str, dict[str, str]]
    active: dict[str, set[str]]

    def label(self, kind: str, code: str | None) -> Label | None:
        """The code with its label (the code itself when it has none), or None for no code."""
        if code is None:
            return None
        return Label(code=code, label=self.by_kind.get(kind, {}).get(code, code))

    def text(self, kind: str, code: str | None) -> str | None:
        """Only the label of ``code`` (as lists and exports print it)."""
        found = self.label(kind, code)
        return found.label if found else None


def load_labels(*, session: Session) -> Labels:
    """Every category label."""
    by_kind: dict[str, dict[str, str]] = {k: {} for k in CATEGORY_KINDS}
    active: dict[str, set[str]] = {k: set() for k in CATEGORY_KINDS}
    for cat in session.exec(select(Category)).all():
        by_kind.setdefault(cat.kind, {})[cat.code] = cat.label_vi
        if cat.active:
            active.setdefault(cat.kind, set()).add(cat.code)
    return Labels(by_kind=by_kind, active=active)


def _out(cat: Category) -> CategoryOut:
    return CategoryOut(kind=cat.kind, code=cat.code, label_vi=cat.label_vi, active=cat.active, position=cat.position)


def _known_kind(kind: str) -> None:
    if kind not in CATEGORY_KINDS:
        raise NotFound(f"There is no category list '{kind}'. Lists: {', '.join(CATEGORY_KINDS)}.")


def list_categories(*, session: Session, kind: str | None = None) -> list[CategoryOut]:
    """Category entries, optionally of one kind."""
    if kind is not None:
        _known_kind(kind)
    query = select(Category).order_by(col(Category.kind), col(Category.position), col(Category.code))
    if kind:
        query = query.where(Category.kind == kind)
    return [_out(c) for c in session.exec(query).all()]


def create_category(*, session: Session, kind: str, code: str, label_vi: str, position: int = 0) -> CategoryOut:
    """Add an entry to a category list."""
    _known_kind(kind)
    if session.exec(select(Category).where(Category.kind == kind, Category.code == code)).first():
        raise Conflict(f"The code '{code}' already exists in '{kind}'; codes are stable, edit its label instead.")
    cat = Category(kind=kind, code=code, label_vi=label_vi, position=position)
    session.add(cat)
    session.flush()
    return _out(cat)


def update_category(
    *, session: Session, kind: str, code: str, label_vi: str | None, active: bool | None, position: int | None
) -> CategoryOut:
    """Relabel, reorder or (de)activate an entry; its code never changes."""
    cat = session.exec(select(Category).where(Category.kind == kind, Category.code == code)).first()
    if cat is None:
        raise NotFound(f"There is no code '{code}' in the category list '{kind}'.")
    if label_vi is not None:
        cat.label_vi = label_vi
    if active is not None:
        cat.active = active
    if position is not None:
        cat.position = position
    session.add(cat)
    session.flush()
    return _out(cat)
