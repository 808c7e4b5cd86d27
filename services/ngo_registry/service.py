"""Domain logic of the ngo_registry service: plain functions taking a session; no FastAPI here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlmodel import Session, SQLModel, col, select

from services.ngo_registry.catalog import CATEGORY_KINDS, TERMINAL_CHANGES
from services.ngo_registry.events import outbox
from services.ngo_registry.models import (
    AffiliatedUnit,
    Association,
    AssociationLink,
    Category,
    ClassifiedRefusal,
    Congress,
    FieldProvenance,
    Funding,
    Leader,
    MemberCount,
    RecordVersion,
    StaffAllocation,
    StatusChange,
)
from services.ngo_registry.rules import RuleSet, congress_status, next_congress_due
from services.ngo_registry.schemas import AssociationCreate, AssociationFields, StatusChangeIn
from services.ngo_registry.text import find_marking, normalise, search_text
from shared.auth import Principal
from shared.db import keep_after_rollback
from shared.errors import Conflict, InvalidInput, NotFound

#: ids are 32-bit INTEGER columns on PostgreSQL: a larger id (the API accepts up to 2^63-1, like
#: IPAM) names nothing and must not reach the database, which would refuse even to compare it
MAX_DB_ID = 2**31 - 1
RowT = TypeVar("RowT", bound=SQLModel)


def get_row(session: Session, model: type[RowT], row_id: int) -> RowT | None:
    """The row of ``model`` with ``row_id``, or None (also for an id no column can hold)."""
    return session.get(model, row_id) if 1 <= row_id <= MAX_DB_ID else None


# -- tiers (G2, G7) ---------------------------------------------------------------------------
PUBLIC, BASIC, ADVANCED, FULL = 0, 1, 2, 3
TIER_NAMES = {PUBLIC: "public", BASIC: "basic", ADVANCED: "advanced", FULL: "full"}

#: the lowest tier that may read each field of a record; unlisted fields are FULL only
FIELD_TIERS: dict[str, int] = {
    "id": PUBLIC,
    "name_vi": PUBLIC,
    "name_foreign": PUBLIC,
    "abbreviation": PUBLIC,
    "name_type": PUBLIC,
    "scope": PUBLIC,
    "purpose": PUBLIC,
    "field": PUBLIC,
    "managing_agency": PUBLIC,
    "nature": PUBLIC,
    "status": PUBLIC,
    "founding_decision": PUBLIC,
    "head_office": PUBLIC,
    "head_office.area_m2": ADVANCED,
    "head_office.origin": ADVANCED,
    "special_status": BASIC,
    "charter_approval": BASIC,
    "chair_name": BASIC,
    "leaders": BASIC,
    "congresses": BASIC,
    "next_congress": BASIC,
    "affiliated_units": BASIC,
    "status_changes": BASIC,
    "predecessors": BASIC,
    "successors": BASIC,
    "version": BASIC,
    "created_at": BASIC,
    "updated_at": BASIC,
    "rank": PUBLIC,
    "members": ADVANCED,
    "state_staff": ADVANCED,
    "funding": ADVANCED,
    "dossier": ADVANCED,
    "provenance": ADVANCED,
}


def caller_tier(principal: Principal | None, *, association_id: int | None = None) -> int:
    """The data tier a caller may read (an association reads its own record in full)."""
    if principal is None:
        return PUBLIC
    if principal.is_admin("ngo"):
        return FULL
    if association_id is not None and principal.has("ngo:submit") and principal.org == str(association_id):
        return FULL
    if principal.has("ngo:read:advanced"):
        return ADVANCED
    if principal.has("ngo:read:basic") or principal.has("ngo:read:value_added"):
        return BASIC
    return PUBLIC


def filter_tier(record: dict[str, Any], tier: int) -> dict[str, Any]:
    """``record`` without the fields above ``tier``."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if FIELD_TIERS.get(key, FULL) > tier:
            continue
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if FIELD_TIERS.get(f"{key}.{k}", PUBLIC) <= tier}
        out[key] = value
    out["tier"] = TIER_NAMES[tier]
    return out


# -- categories (G5) ------------------------------------------------------------------------
@dataclass
class Labels:
    """Category labels by (kind, code), loaded once per request."""

    by_kind: dict[str, dict[str, str]]
    active: dict[str, set[str]]

    def label(self, kind: str, code: str | None) -> dict[str, str] | None:
        if code is None:
            return None
        return {"code": code, "label": self.by_kind.get(kind, {}).get(code, code)}


def load_labels(session: Session) -> Labels:
    """Every category label."""
    by_kind: dict[str, dict[str, str]] = {k: {} for k in CATEGORY_KINDS}
    active: dict[str, set[str]] = {k: set() for k in CATEGORY_KINDS}
    for cat in session.exec(select(Category)).all():
        by_kind.setdefault(cat.kind, {})[cat.code] = cat.label_vi
        if cat.active:
            active.setdefault(cat.kind, set()).add(cat.code)
    return Labels(by_kind=by_kind, active=active)


def list_categories(*, session: Session, kind: str | None = None) -> list[dict[str, Any]]:
    """Category entries, optionally of one kind."""
    if kind is not None and kind not in CATEGORY_KINDS:
        raise NotFound(f"There is no category list '{kind}'. Lists: {', '.join(CATEGORY_KINDS)}.")
    query = select(Category).order_by(col(Category.kind), col(Category.position), col(Category.code))
    if kind:
        query = query.where(Category.kind == kind)
    return [
        {"kind": c.kind, "code": c.code, "label_vi": c.label_vi, "active": c.active, "position": c.position}
        for c in session.exec(query).all()
    ]


def create_category(*, session: Session, kind: str, code: str, label_vi: str, position: int = 0) -> dict[str, Any]:
    """Add an entry to a category list."""
    if kind not in CATEGORY_KINDS:
        raise NotFound(f"There is no category list '{kind}'. Lists: {', '.join(CATEGORY_KINDS)}.")
    if session.exec(select(Category).where(Category.kind == kind, Category.code == code)).first():
        raise Conflict(f"The code '{code}' already exists in '{kind}'; codes are stable, edit its label instead.")
    cat = Category(kind=kind, code=code, label_vi=label_vi, position=position)
    session.add(cat)
    session.flush()
    return {"kind": kind, "code": code, "label_vi": label_vi, "active": True, "position": position}


def update_category(
    *, session: Session, kind: str, code: str, label_vi: str | None, active: bool | None, position: int | None
) -> dict[str, Any]:
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
    return {"kind": kind, "code": code, "label_vi": cat.label_vi, "active": cat.active, "position": cat.position}


# -- classified information (G1) ------------------------------------------------------------
def refuse_if_classified(
    *, session: Session, principal: Principal | None, payload: Any, route: str, where: str = "body"
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


def audit_classified(*, session: Session, principal: Principal | None, route: str, marking: str, where: str) -> None:
    """Record a refused classified upload; committed even though the request fails."""
    row = ClassifiedRefusal(
        sub=principal.sub if principal else "anonymous",
        org=principal.org if principal else None,
        route=route[:300],
        marking=marking,
        where=where[:300],
    )
    # the request rolls back on the 422; the unit of work writes the row again after the
    # rollback released the write lock (a second session now would wait for this one's lock)
    keep_after_rollback(session, row)


# -- validation (G17) -----------------------------------------------------------------------
_CODE_FIELDS: dict[str, str] = {
    "name_type": "name_type",
    "scope": "scope",
    "field": "field",
    "managing_agency": "managing_agency",
    "nature": "nature",
    "office_origin": "office_origin",
}
_LIST_CODES: dict[str, tuple[str, str]] = {
    "leaders": ("role", "leader_role"),
    "congresses": ("kind", "congress_kind"),
    "members": ("member_type", "member_type"),
    "funding": ("source", "funding_source"),
    "affiliated_units": ("kind", "unit_kind"),
}


def validate_fields(*, data: AssociationFields, labels: Labels, rules: RuleSet, today: date) -> None:
    """422 naming every field with an unknown code, an impossible date or a term over the legal max."""
    errors: list[dict[str, Any]] = []
    for attr, kind in _CODE_FIELDS.items():
        code = getattr(data, attr)
        if code is not None and code not in labels.active.get(kind, set()):
            errors.append({"field": attr, "message": f"unknown {kind} code '{code}'; see /api/v1/ngo/categories/{kind}"})
    for attr, (sub, kind) in _LIST_CODES.items():
        for i, item in enumerate(getattr(data, attr) or []):
            code = getattr(item, sub)
            if code not in labels.active.get(kind, set()):
                errors.append(
                    {"field": f"{attr}[{i}].{sub}", "message": f"unknown {kind} code '{code}'; see /api/v1/ngo/categories/{kind}"}
                )
    for attr in ("founding_decision_date", "charter_approval_date", "dossier_reconciled_on"):
        value = getattr(data, attr)
        if value is not None and value > today:
            errors.append({"field": attr, "message": f"{value.isoformat()} is in the future"})
    if data.founding_decision_date and data.charter_approval_date and data.charter_approval_date < data.founding_decision_date:
        errors.append({"field": "charter_approval_date", "message": "the charter cannot be approved before the founding decision"})
    max_term = rules.max_term_years.value
    for i, c in enumerate(data.congresses or []):
        if c.term_years is not None and c.term_years > max_term:
            errors.append(
                {"field": f"congresses[{i}].term_years", "message": f"{c.term_years} years exceeds the legal maximum of {max_term} ({rules.max_term_years.basis.cite()})"}
            )
        if c.held_on > today:
            errors.append({"field": f"congresses[{i}].held_on", "message": f"{c.held_on.isoformat()} is in the future"})
    for i, leader in enumerate(data.leaders or []):
        if leader.from_date and leader.to_date and leader.to_date < leader.from_date:
            errors.append({"field": f"leaders[{i}].to_date", "message": "ends before it starts"})
    for i, m in enumerate(data.members or []):
        if m.as_of > today:
            errors.append({"field": f"members[{i}].as_of", "message": f"{m.as_of.isoformat()} is in the future"})
    for i, s in enumerate(data.state_staff or []):
        if s.year > today.year + 1:
            errors.append({"field": f"state_staff[{i}].year", "message": f"{s.year} is too far in the future"})
    for i, f in enumerate(data.funding or []):
        if f.year > today.year + 1:
            errors.append({"field": f"funding[{i}].year", "message": f"{f.year} is too far in the future"})
    if errors:
        fields = ", ".join(e["field"] for e in errors)
        raise InvalidInput(f"Correct these fields: {fields}.", errors=errors)


# -- reading ---------------------------------------------------------------------------------
def get_association(*, session: Session, association_id: int) -> Association:
    """The association or 404."""
    assoc = get_row(session, Association, association_id)
    if assoc is None:
        raise NotFound(f"There is no association with id {association_id}.")
    return assoc


def _d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def summary_dict(assoc: Association, labels: Labels, rules: RuleSet, today: date) -> dict[str, Any]:
    """The columns of a record shown in lists."""
    return {
        "id": assoc.id,
        "name_vi": assoc.name_vi,
        "name_foreign": assoc.name_foreign,
        "abbreviation": assoc.abbreviation,
        "name_type": labels.label("name_type", assoc.name_type_code),
        "scope": labels.label("scope", assoc.scope_code),
        "field": labels.label("field", assoc.field_code),
        "managing_agency": labels.label("managing_agency", assoc.managing_agency_code),
        "nature": labels.label("nature", assoc.nature_code),
        "status": assoc.status,
        "founding_decision": {
            "number": assoc.founding_decision_number,
            "date": _d(assoc.founding_decision_date),
            "issuer": assoc.founding_decision_issuer,
        },
        "head_office": {
            "address": assoc.office_address,
            "phone": assoc.office_phone,
            "area_m2": assoc.office_area_m2,
            "origin": labels.label("office_origin", assoc.office_origin_code),
        },
        "special_status": assoc.special_status,
        "chair_name": assoc.chair_name,
        "next_congress": congress_dict(assoc, rules, today),
        "version": assoc.version,
        "updated_at": assoc.updated_at.isoformat() if assoc.updated_at else None,
    }


def congress_dict(assoc: Association, rules: RuleSet, today: date) -> dict[str, Any] | None:
    if assoc.next_congress_due is None or assoc.status != "active":
        return None
    status = congress_status(assoc.next_congress_due, today, rules)
    return {
        "last_held_on": _d(assoc.last_congress_on),
        "last_term_number": assoc.last_term_number,
        "due": status.next_due.isoformat(),
        "level": int(status.level),
        "label": status.label,
        "first_flag_on": status.first_flag.isoformat(),
        "second_flag_on": status.second_flag.isoformat(),
        "third_flag_on": status.third_flag.isoformat(),
    }


def record_dict(*, session: Session, assoc: Association, labels: Labels, rules: RuleSet, today: date) -> dict[str, Any]:
    """The whole record with its collections, links and provenance."""
    aid = assoc.id
    out = summary_dict(assoc, labels, rules, today)
    out.update(
        {
            "purpose": assoc.purpose,
            "charter_approval": {"number": assoc.charter_decision_number, "date": _d(assoc.charter_approval_date)},
            "dossier": {
                "number": assoc.dossier_number,
                "location": assoc.dossier_location,
                "reconciled_on": _d(assoc.dossier_reconciled_on),
            },
            "created_at": assoc.created_at.isoformat() if assoc.created_at else None,
        }
    )
    out["leaders"] = [
        {"role": labels.label("leader_role", x.role_code), "full_name": x.full_name, "from_date": _d(x.from_date), "to_date": _d(x.to_date)}
        for x in session.exec(select(Leader).where(Leader.association_id == aid).order_by(col(Leader.id))).all()
    ]
    out["congresses"] = [
        {"kind": labels.label("congress_kind", x.kind_code), "held_on": _d(x.held_on), "term_number": x.term_number, "term_years": x.term_years, "delegates": x.delegates}
        for x in session.exec(select(Congress).where(Congress.association_id == aid).order_by(col(Congress.held_on))).all()
    ]
    out["members"] = [
        {"as_of": _d(x.as_of), "member_type": labels.label("member_type", x.member_type_code), "count": x.count}
        for x in session.exec(select(MemberCount).where(MemberCount.association_id == aid).order_by(col(MemberCount.as_of), col(MemberCount.id))).all()
    ]
    out["state_staff"] = [
        {"year": x.year, "staff": x.staff}
        for x in session.exec(select(StaffAllocation).where(StaffAllocation.association_id == aid).order_by(col(StaffAllocation.year))).all()
    ]
    out["funding"] = [
        {"year": x.year, "source": labels.label("funding_source", x.source_code), "amount_vnd": x.amount_vnd}
        for x in session.exec(select(Funding).where(Funding.association_id == aid).order_by(col(Funding.year), col(Funding.id))).all()
    ]
    out["affiliated_units"] = [
        {"kind": labels.label("unit_kind", x.kind_code), "name": x.name, "address": x.address, "decision_number": x.decision_number}
        for x in session.exec(select(AffiliatedUnit).where(AffiliatedUnit.association_id == aid).order_by(col(AffiliatedUnit.id))).all()
    ]
    changes = session.exec(select(StatusChange).where(StatusChange.association_id == aid).order_by(col(StatusChange.decision_date))).all()
    out["status_changes"] = [
        {"id": x.id, "kind": labels.label("status_change_kind", x.kind_code), "decision_number": x.decision_number, "decision_date": _d(x.decision_date), "note": x.note}
        for x in changes
    ]
    out["predecessors"] = _links(session, aid, incoming=True, labels=labels)
    out["successors"] = _links(session, aid, incoming=False, labels=labels)
    out["provenance"] = {
        p.field: {"source": p.source, "actor": p.actor, "at": p.at.isoformat()}
        for p in session.exec(select(FieldProvenance).where(FieldProvenance.association_id == aid)).all()
    }
    return out


def _links(session: Session, aid: int | None, *, incoming: bool, labels: Labels) -> list[dict[str, Any]]:
    mine = col(AssociationLink.successor_id) if incoming else col(AssociationLink.predecessor_id)
    other = col(AssociationLink.predecessor_id) if incoming else col(AssociationLink.successor_id)
    rows = session.execute(
        sa.select(other, col(Association.name_vi), col(StatusChange.kind_code), col(StatusChange.decision_number), col(StatusChange.decision_date))
        .join(Association, col(Association.id) == other)
        .join(StatusChange, col(StatusChange.id) == AssociationLink.status_change_id)
        .where(mine == aid)
        .order_by(col(StatusChange.decision_date))
    ).all()
    return [
        {"id": r[0], "name_vi": r[1], "change": labels.label("status_change_kind", r[2]), "decision_number": r[3], "decision_date": _d(r[4])}
        for r in rows
    ]


# -- writing ---------------------------------------------------------------------------------
_SCALARS: dict[str, str] = {
    "name_vi": "name_vi",
    "name_foreign": "name_foreign",
    "abbreviation": "abbreviation",
    "name_type": "name_type_code",
    "scope": "scope_code",
    "purpose": "purpose",
    "field": "field_code",
    "managing_agency": "managing_agency_code",
    "nature": "nature_code",
    "special_status": "special_status",
    "founding_decision_number": "founding_decision_number",
    "founding_decision_date": "founding_decision_date",
    "founding_decision_issuer": "founding_decision_issuer",
    "charter_decision_number": "charter_decision_number",
    "charter_approval_date": "charter_approval_date",
    "office_address": "office_address",
    "office_phone": "office_phone",
    "office_area_m2": "office_area_m2",
    "office_origin": "office_origin_code",
    "dossier_number": "dossier_number",
    "dossier_location": "dossier_location",
    "dossier_reconciled_on": "dossier_reconciled_on",
}
COLLECTIONS = ("leaders", "congresses", "members", "state_staff", "funding", "affiliated_units")
_REQUIRED = {"name_vi", "name_type", "scope", "field", "managing_agency", "nature"}


def _replace_collections(session: Session, aid: int, data: AssociationFields, present: set[str]) -> None:
    tables: dict[str, type[Any]] = {
        "leaders": Leader,
        "congresses": Congress,
        "members": MemberCount,
        "state_staff": StaffAllocation,
        "funding": Funding,
        "affiliated_units": AffiliatedUnit,
    }
    for name in COLLECTIONS:
        if name not in present:
            continue
        table = tables[name]
        session.execute(sa.delete(table).where(table.association_id == aid))
        session.flush()
        for item in getattr(data, name) or []:
            if name == "leaders":
                session.add(Leader(association_id=aid, role_code=item.role, full_name=item.full_name, from_date=item.from_date, to_date=item.to_date))
            elif name == "congresses":
                session.add(Congress(association_id=aid, kind_code=item.kind, held_on=item.held_on, term_number=item.term_number, term_years=item.term_years, delegates=item.delegates))
            elif name == "members":
                session.add(MemberCount(association_id=aid, as_of=item.as_of, member_type_code=item.member_type, count=item.count))
            elif name == "state_staff":
                session.add(StaffAllocation(association_id=aid, year=item.year, staff=item.staff))
            elif name == "funding":
                session.add(Funding(association_id=aid, year=item.year, source_code=item.source, amount_vnd=item.amount_vnd))
            else:
                session.add(AffiliatedUnit(association_id=aid, kind_code=item.kind, name=item.name, address=item.address, decision_number=item.decision_number))
    session.flush()


def _validate_collections(data: AssociationFields) -> None:
    errors: list[dict[str, Any]] = []
    years = [s.year for s in data.state_staff or []]
    if len(years) != len(set(years)):
        errors.append({"field": "state_staff", "message": "one row per year"})
    if errors:
        raise InvalidInput("Correct these fields: state_staff.", errors=errors)


def refresh_derived(*, session: Session, assoc: Association, rules: RuleSet, today: date) -> None:
    """Recompute search text, current chair and the next congress due from the collections."""
    assoc.search_text = search_text(assoc.name_vi, assoc.name_foreign, assoc.abbreviation)
    chair = session.exec(
        select(Leader)
        .where(Leader.association_id == assoc.id, Leader.role_code == "chu_tich")
        .where(sa.or_(col(Leader.to_date).is_(None), col(Leader.to_date) >= today))
        .order_by(col(Leader.from_date).desc())
    ).first()
    assoc.chair_name = chair.full_name if chair else None
    last = session.exec(
        select(Congress)
        .where(Congress.association_id == assoc.id, col(Congress.kind_code).in_(["thanh_lap", "nhiem_ky"]))
        .order_by(col(Congress.held_on).desc())
    ).first()
    if last is not None:
        assoc.last_congress_on = last.held_on
        assoc.last_term_number = last.term_number
        assoc.term_years = last.term_years
        assoc.next_congress_due = next_congress_due(last.held_on, last.term_years, rules)
    else:
        assoc.last_congress_on = assoc.last_term_number = assoc.term_years = None
        base = assoc.founding_decision_date
        assoc.next_congress_due = next_congress_due(base, None, rules) if base else None
    if assoc.next_congress_due and congress_status(assoc.next_congress_due, today, rules).level < 2:
        assoc.overdue_level_notified = 0


def _snapshot(session: Session, assoc: Association, labels: Labels, rules: RuleSet, today: date) -> dict[str, Any]:
    record = record_dict(session=session, assoc=assoc, labels=labels, rules=rules, today=today)
    for volatile in ("next_congress", "provenance", "version", "updated_at", "created_at"):
        record.pop(volatile, None)
    return record


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(k for k in after if before.get(k) != after.get(k))


def _write_version(session: Session, assoc: Association, snapshot: dict[str, Any], changed: list[str], source: str, actor: str) -> None:
    session.add(RecordVersion(association_id=assoc.id or 0, version=assoc.version, snapshot=snapshot, changed_fields=changed, source=source, actor=actor))
    for field in changed:
        prov = session.exec(select(FieldProvenance).where(FieldProvenance.association_id == assoc.id, FieldProvenance.field == field)).first()
        if prov is None:
            prov = FieldProvenance(association_id=assoc.id or 0, field=field, source=source, actor=actor)
        prov.source, prov.actor, prov.at = source, actor, datetime.now(UTC)
        session.add(prov)
    session.flush()


def create_association(
    *, session: Session, data: AssociationCreate, actor: str, source: str, rules: RuleSet, today: date, route: str = "", principal: Principal | None = None
) -> Association:
    """Create a record (version 1) and emit association.created."""
    refuse_if_classified(session=session, principal=principal, payload=data.model_dump(mode="json"), route=route)
    labels = load_labels(session)
    validate_fields(data=data, labels=labels, rules=rules, today=today)
    _validate_collections(data)
    assoc = Association(name_vi=data.name_vi, name_type_code=data.name_type, scope_code=data.scope, field_code=data.field, managing_agency_code=data.managing_agency, nature_code=data.nature)
    for attr, column in _SCALARS.items():
        if attr in data.model_fields_set or attr in _REQUIRED:
            setattr(assoc, column, getattr(data, attr))
    session.add(assoc)
    session.flush()
    assert assoc.id is not None
    _replace_collections(session, assoc.id, data, set(COLLECTIONS))
    refresh_derived(session=session, assoc=assoc, rules=rules, today=today)
    session.add(assoc)
    session.flush()
    snapshot = _snapshot(session, assoc, labels, rules, today)
    changed = sorted(k for k, v in snapshot.items() if v not in (None, [], {}) and k != "id")
    _write_version(session, assoc, snapshot, changed, source, actor)
    outbox.emit(session, "govnet.ngo.association.created.v1", subject=assoc.id, data={"id": assoc.id, "name_vi": assoc.name_vi, "version": 1, "source": source})
    return assoc


def update_association(
    *, session: Session, association_id: int, data: AssociationFields, actor: str, source: str, rules: RuleSet, today: date, route: str = "", principal: Principal | None = None
) -> tuple[Association, list[str]]:
    """Apply a patch (collections given are replaced), version it and emit association.updated."""
    refuse_if_classified(session=session, principal=principal, payload=data.model_dump(mode="json", exclude_unset=True), route=route)
    assoc = get_association(session=session, association_id=association_id)
    labels = load_labels(session)
    validate_fields(data=data, labels=labels, rules=rules, today=today)
    _validate_collections(data)
    present = set(data.model_fields_set)
    for attr in _REQUIRED & present:
        if getattr(data, attr) is None:
            raise InvalidInput(f"'{attr}' cannot be emptied.", errors=[{"field": attr, "message": "required"}])
    before = _snapshot(session, assoc, labels, rules, today)
    for attr, column in _SCALARS.items():
        if attr in present:
            setattr(assoc, column, getattr(data, attr))
    assert assoc.id is not None
    _replace_collections(session, assoc.id, data, present)
    refresh_derived(session=session, assoc=assoc, rules=rules, today=today)
    after = _snapshot(session, assoc, labels, rules, today)
    changed = _changed(before, after)
    if not changed:
        return assoc, []
    assoc.version += 1
    assoc.updated_at = datetime.now(UTC)
    session.add(assoc)
    session.flush()
    _write_version(session, assoc, after, changed, source, actor)
    outbox.emit(session, "govnet.ngo.association.updated.v1", subject=assoc.id, data={"id": assoc.id, "version": assoc.version, "changed_fields": changed, "source": source})
    return assoc, changed


_TERMINAL_STATUS = {"chia": "divided", "sap_nhap": "merged", "hop_nhat": "consolidated", "tu_giai_the": "dissolved", "bi_giai_the": "dissolved"}


def record_status_change(
    *, session: Session, association_id: int, data: StatusChangeIn, actor: str, rules: RuleSet, today: date
) -> StatusChange:
    """Record a rename/division/split-off/merger/consolidation/dissolution and link predecessors and successors."""
    assoc = get_association(session=session, association_id=association_id)
    labels = load_labels(session)
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
    change = StatusChange(association_id=association_id, kind_code=data.kind, decision_number=data.decision_number, decision_date=data.decision_date, note=data.note)
    session.add(change)
    session.flush()
    assert change.id is not None
    for succ in data.successor_ids:
        session.add(AssociationLink(status_change_id=change.id, predecessor_id=association_id, successor_id=succ))
    for pred in data.predecessor_ids:
        session.add(AssociationLink(status_change_id=change.id, predecessor_id=pred, successor_id=association_id))
    session.flush()
    affected: dict[int, str | None] = {association_id: None}
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
        before = _snapshot(session, target, labels, rules, today)
        if status:
            target.status = status
        if aid == association_id and data.kind == "doi_ten" and data.new_name_vi:
            target.name_vi = data.new_name_vi
            refresh_derived(session=session, assoc=target, rules=rules, today=today)
        after = _snapshot(session, target, labels, rules, today)
        changed = _changed(before, after)
        target.version += 1
        target.updated_at = datetime.now(UTC)
        session.add(target)
        session.flush()
        _write_version(session, target, after, changed, "staff", actor)
        outbox.emit(
            session,
            "govnet.ngo.association.status_changed.v1",
            subject=aid,
            data={"id": aid, "status": target.status, "change": data.kind, "decision_number": data.decision_number, "decision_date": data.decision_date.isoformat(), "status_change_id": change.id, "version": target.version},
        )
    del assoc
    return change


def history(*, session: Session, association_id: int) -> list[dict[str, Any]]:
    """Every version of a record, newest first."""
    get_association(session=session, association_id=association_id)
    rows = session.exec(select(RecordVersion).where(RecordVersion.association_id == association_id).order_by(col(RecordVersion.version).desc())).all()
    return [
        {"version": r.version, "changed_fields": r.changed_fields, "source": r.source, "actor": r.actor, "changed_at": r.changed_at.isoformat(), "snapshot": r.snapshot}
        for r in rows
    ]


# -- search and lists -------------------------------------------------------------------------
@dataclass
class AssociationFilter:
    """Filters shared by the search and every list."""

    field: str | None = None
    managing_agency: str | None = None
    nature: str | None = None
    scope: str | None = None
    name_type: str | None = None
    status: str | None = None
    special_status: bool | None = None

    def apply(self, query: Any) -> Any:
        pairs = [
            (self.field, Association.field_code),
            (self.managing_agency, Association.managing_agency_code),
            (self.nature, Association.nature_code),
            (self.scope, Association.scope_code),
            (self.name_type, Association.name_type_code),
            (self.status, Association.status),
        ]
        for value, column in pairs:
            if value is not None:
                query = query.where(column == value)
        if self.special_status is not None:
            query = query.where(Association.special_status == self.special_status)
        return query


def query_terms(q: str) -> list[str]:
    """The normalised words of a search query."""
    return normalise(q).split()[:12]


def search_ids(*, session: Session, q: str, flt: AssociationFilter, limit: int, offset: int) -> tuple[int, list[tuple[int, float]]]:
    """Ranked matches ``(count, [(id, rank)])`` for a diacritic-insensitive query.

    One statement: the full-text index finds the matches once, ``count(*) OVER ()`` counts them
    exactly and a top-N sort keeps the page. On PostgreSQL the rank reads the stored
    ``search_tsv`` column (revision 7c3e9a51d2b4) instead of rebuilding each row's tsvector.
    The whole phrase (prefix, then anywhere) ranks first; then the full-text score.
    """
    terms = query_terms(q)
    if not terms:
        raise InvalidInput("The search query has no letters or digits.", errors=[{"field": "q", "message": "empty after normalisation"}])
    phrase = " ".join(terms)
    dialect = session.get_bind().dialect.name
    boost = sa.case((col(Association.search_text).like(f"{phrase}%"), 2.0), (col(Association.search_text).like(f"%{phrase}%"), 1.0), else_=0.0)
    if dialect == "sqlite":
        match = " ".join(f'"{t}"' for t in terms[:-1]) + (" " if len(terms) > 1 else "") + f'"{terms[-1]}"*'
        fts = sa.text("SELECT rowid AS id, bm25(association_fts) AS score FROM association_fts WHERE association_fts MATCH :m").bindparams(m=match).columns(id=sa.Integer, score=sa.Float).subquery("fts")
        score = (boost * 100 - fts.c.score).label("rank")
        matched = flt.apply(select(Association.id).join(fts, fts.c.id == Association.id))
    else:
        tsv = sa.literal_column("association.search_tsv", type_=TSVECTOR)
        tsq = sa.func.to_tsquery(sa.literal_column("'simple'"), " & ".join(terms[:-1] + [terms[-1] + ":*"]))
        # ts_rank with length normalisation (1): like SQLite's bm25, shorter names rank first;
        # ts_rank_cd cost ~3 µs a row with prefix terms, a third of the query on common words
        score = (boost * 100 + sa.func.ts_rank(tsv, tsq, 1)).label("rank")
        matched = flt.apply(select(Association.id).where(tsv.op("@@")(tsq)))
    page = matched.add_columns(score, sa.func.count().over().label("total")).order_by(score.desc(), col(Association.name_vi), col(Association.id)).limit(limit).offset(offset)
    rows = session.execute(page).all()
    if rows:
        count = int(rows[0][2])
    elif offset:  # past the last page: the window saw no row, count separately
        count = int(session.exec(select(sa.func.count()).select_from(matched.subquery())).one())
    else:
        count = 0
    return count, [(int(r[0]), float(r[1])) for r in rows]


def list_associations(*, session: Session, flt: AssociationFilter, limit: int, offset: int, order: Sequence[Any] = ()) -> tuple[int, list[Association]]:
    """Filtered, ordered, paginated associations and the total count."""
    count = session.exec(flt.apply(select(sa.func.count()).select_from(Association))).one()
    query = flt.apply(select(Association)).order_by(*(order or (col(Association.name_vi), col(Association.id)))).limit(limit).offset(offset)
    return int(count), list(session.exec(query).all())


def associations_by_ids(*, session: Session, ids: Iterable[int]) -> dict[int, Association]:
    id_list = list(ids)
    if not id_list:
        return {}
    return {a.id: a for a in session.exec(select(Association).where(col(Association.id).in_(id_list))).all() if a.id is not None}
