"""Status changes (G1, G4): rename, division, split-off, merger, consolidation and dissolution, with links."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session

from services.ngo_registry.categories.catalog import TERMINAL_CHANGES
from services.ngo_registry.categories.service import load_labels
from services.ngo_registry.database import get_row
from services.ngo_registry.events import outbox
from services.ngo_registry.records.models import Association, AssociationLink, AssociationStatus, StatusChange
from services.ngo_registry.records.names import check_name, flush_name
from services.ngo_registry.records.schemas import NameWarning, StatusChangeIn
from services.ngo_registry.records.service import (
    changed_fields,
    get_association,
    refresh_derived,
    write_version,
)
from services.ngo_registry.records.views import snapshot
from services.ngo_registry.rules import RuleSet
from shared.auth import Principal
from shared.errors import InvalidInput

#: the status an association takes after each terminal change
_TERMINAL_STATUS: dict[str, AssociationStatus] = {
    "chia": AssociationStatus.DIVIDED,
    "sap_nhap": AssociationStatus.MERGED,
    "hop_nhat": AssociationStatus.CONSOLIDATED,
    "tu_giai_the": AssociationStatus.DISSOLVED,
    "bi_giai_the": AssociationStatus.DISSOLVED,
}


def record_status_change(
    *, session: Session, principal: Principal, association_id: int, data: StatusChangeIn, rules: RuleSet, today: date
) -> tuple[StatusChange, list[NameWarning]]:
    """Record a rename/division/split-off/merger/consolidation/dissolution and link predecessors and successors.

    A rename is held to the name rule (409 for a live association's name); the near matches of
    the new name are returned with the change.
    """
    get_association(session=session, association_id=association_id)
    labels = load_labels(session=session)
    errors: list[dict[str, Any]] = []
    if data.kind not in labels.active.get("status_change_kind", set()):
        errors.append({"field": "kind", "message": f"unknown status_change_kind code '{data.kind}'"})
    if data.decision_date > today:
        errors.append({"field": "decision_date", "message": f"{data.decision_date.isoformat()} is in the future"})
    if data.kind == "doi_ten" and not data.new_name_vi:
        errors.append({"field": "new_name_vi", "message": "a rename needs the new Vietnamese name"})
    for attr in ("predecessor_ids", "successor_ids"):
        for i, other in enumerate(getattr(data, attr)):
            if other == association_id or get_row(session, Association, other) is None:
                errors.append({"field": f"{attr}[{i}]", "message": f"no other association with id {other}"})
    if errors:
        raise InvalidInput("Correct these fields: " + ", ".join(e["field"] for e in errors) + ".", errors=errors)
    renaming = data.kind == "doi_ten" and bool(data.new_name_vi)
    warnings = check_name(session=session, name_vi=data.new_name_vi or "", rules=rules, exclude_id=association_id) if renaming else []
    change = StatusChange(association_id=association_id, kind_code=data.kind, decision_number=data.decision_number, decision_date=data.decision_date, note=data.note)
    session.add(change)
    session.flush()
    assert change.id is not None
    for succ in data.successor_ids:
        session.add(AssociationLink(status_change_id=change.id, predecessor_id=association_id, successor_id=succ))
    for pred in data.predecessor_ids:
        session.add(AssociationLink(status_change_id=change.id, predecessor_id=pred, successor_id=association_id))
    session.flush()
    affected: dict[int, AssociationStatus | None] = {association_id: None}
    new_status = _TERMINAL_STATUS.get(data.kind)
    if data.kind in TERMINAL_CHANGES and new_status:
        if data.successor_ids or data.kind in ("tu_giai_the", "bi_giai_the") or not data.predecessor_ids:
            affected[association_id] = new_status
        for pred in data.predecessor_ids:
            affected[pred] = new_status
    for other in data.successor_ids:
        affected.setdefault(other, None)
    for aid, status in affected.items():
        target = get_association(session=session, association_id=aid)
        before = snapshot(session=session, assoc=target, labels=labels, rules=rules, today=today)
        if status:
            target.status = status
        if aid == association_id and renaming and data.new_name_vi:
            target.name_vi = data.new_name_vi
            flush_name(session=session, assoc=target, rules=rules)
            refresh_derived(session=session, assoc=target, rules=rules, today=today)
        after = snapshot(session=session, assoc=target, labels=labels, rules=rules, today=today)
        changed = changed_fields(before, after)
        target.version += 1
        target.updated_at = datetime.now(UTC)
        session.add(target)
        session.flush()
        write_version(session=session, assoc=target, record=after, changed=changed, source="staff", actor=principal.sub)
        outbox.emit(
            session,
            "govnet.ngo.association.status_changed.v1",
            subject=aid,
            data={"id": aid, "status": target.status, "change": data.kind, "decision_number": data.decision_number, "decision_date": data.decision_date.isoformat(), "status_change_id": change.id, "version": target.version},
        )
    return change, warnings
