"""The classified-marking guard (G1): information marked Mật, Tối mật or Tuyệt mật is refused and audited."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from services.ngo_registry.records.models import ClassifiedRefusal
from services.ngo_registry.text import find_marking
from shared.auth import Principal
from shared.db import keep_after_rollback
from shared.errors import InvalidInput


def refuse_if_classified(
    *, session: Session, principal: Principal, payload: Any, route: str, where: str = "body"
) -> None:
    """Refuse (422) and audit a payload marked Mật, Tối mật or Tuyệt mật."""
    found = find_marking(payload)
    if found is None:
        return
    marking, path = found
    audit_classified(session=session, principal=principal, route=route, marking=marking, where=f"{where}:{path}")
    raise InvalidInput(
        f"Information marked '{marking}' must not be stored in the NGO database (Decision 113/QĐ-BNV, Art. 5). "
        "Remove the classified content and send it again.",
        errors=[{"field": path, "message": f"classified marking '{marking}'"}],
        code="classified-information",
    )


def audit_classified(*, session: Session, principal: Principal, route: str, marking: str, where: str) -> None:
    """Record a refused classified upload; committed even though the request fails."""
    row = ClassifiedRefusal(
        sub=principal.sub,
        org=principal.org,
        route=route[:300],
        marking=marking,
        where=where[:300],
    )
    # the request rolls back on the 422; the unit of work writes the row again after the
    # rollback released the write lock (a second session now would wait for this one's lock)
    keep_after_rollback(session, row)
