"""Writing an association's record (G17): create, patch, derived columns, versions and provenance (G4)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from services.ngo_registry.categories.service import load_labels
from services.ngo_registry.database import get_row
from services.ngo_registry.events import outbox
from services.ngo_registry.records.classified import refuse_if_classified
from services.ngo_registry.records.models import (
    AffiliatedUnit,
    Association,
    Congress,
    FieldProvenance,
    Funding,
    Leader,
    MemberCount,
    RecordVersion,
    StaffAllocation,
)
from services.ngo_registry.records.names import check_name, flush_name
from services.ngo_registry.records.schemas import (
    AssociationCreate,
    AssociationFields,
    NameWarning,
    VersionOut,
)
from services.ngo_registry.records.validation import validate_collections, validate_fields
from services.ngo_registry.records.views import snapshot
from services.ngo_registry.rules import RuleSet, congress_status, next_congress_due
from services.ngo_registry.text import fold_name, search_text
from shared.auth import Principal
from shared.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class Written:
    """A record after a write: the fields the write changed and the near matches of its name."""

    assoc: Association
    changed: list[str]
    warnings: list[NameWarning] = dataclass_field(default_factory=list)


def get_association(*, session: Session, association_id: int) -> Association:
    """The association or 404."""
    assoc = get_row(session, Association, association_id)
    if assoc is None:
        raise NotFound(f"There is no association with id {association_id}.")
    return assoc


#: request field -> column of the association
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
    """Replace each collection named in ``present`` with the rows given."""
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


def refresh_derived(*, session: Session, assoc: Association, rules: RuleSet, today: date) -> None:
    """Recompute search text, current chair and the next congress due from the collections."""
    assoc.search_text = search_text(assoc.name_vi, assoc.name_foreign, assoc.abbreviation)
    assoc.name_key = fold_name(assoc.name_vi)
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


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The top-level fields that differ between two snapshots."""
    return sorted(k for k in after if before.get(k) != after.get(k))


def write_version(*, session: Session, assoc: Association, record: dict[str, Any], changed: list[str], source: str, actor: str) -> None:
    """Store the new version of the record and who set each changed field."""
    session.add(RecordVersion(association_id=assoc.id or 0, version=assoc.version, snapshot=record, changed_fields=changed, source=source, actor=actor))
    for field in changed:
        prov = session.exec(select(FieldProvenance).where(FieldProvenance.association_id == assoc.id, FieldProvenance.field == field)).first()
        if prov is None:
            prov = FieldProvenance(association_id=assoc.id or 0, field=field, source=source, actor=actor)
        prov.source, prov.actor, prov.at = source, actor, datetime.now(UTC)
        session.add(prov)
    session.flush()


def create_association(
    *, session: Session, principal: Principal, data: AssociationCreate, source: str, rules: RuleSet, today: date, route: str = ""
) -> Written:
    """Create a record (version 1) under the name rule and emit association.created."""
    refuse_if_classified(session=session, principal=principal, payload=data.model_dump(mode="json"), route=route)
    labels = load_labels(session=session)
    validate_fields(data=data, labels=labels, rules=rules, today=today)
    validate_collections(data)
    warnings = check_name(session=session, name_vi=data.name_vi, rules=rules)
    assoc = Association(name_vi=data.name_vi, name_type_code=data.name_type, scope_code=data.scope, field_code=data.field, managing_agency_code=data.managing_agency, nature_code=data.nature)
    for attr, column in _SCALARS.items():
        if attr in data.model_fields_set or attr in _REQUIRED:
            setattr(assoc, column, getattr(data, attr))
    flush_name(session=session, assoc=assoc, rules=rules)
    assert assoc.id is not None
    _replace_collections(session, assoc.id, data, set(COLLECTIONS))
    refresh_derived(session=session, assoc=assoc, rules=rules, today=today)
    session.add(assoc)
    session.flush()
    record = snapshot(session=session, assoc=assoc, labels=labels, rules=rules, today=today)
    changed = sorted(k for k, v in record.items() if v not in (None, [], {}) and k != "id")
    write_version(session=session, assoc=assoc, record=record, changed=changed, source=source, actor=principal.sub)
    outbox.emit(session, "govnet.ngo.association.created.v1", subject=assoc.id, data={"id": assoc.id, "name_vi": assoc.name_vi, "version": 1, "source": source})
    return Written(assoc, changed, warnings)


def update_association(
    *, session: Session, principal: Principal, association_id: int, data: AssociationFields, source: str, rules: RuleSet, today: date, route: str = ""
) -> Written:
    """Apply a patch (collections given are replaced, a new name under the name rule), version it and emit association.updated."""
    refuse_if_classified(session=session, principal=principal, payload=data.model_dump(mode="json", exclude_unset=True), route=route)
    assoc = get_association(session=session, association_id=association_id)
    labels = load_labels(session=session)
    validate_fields(data=data, labels=labels, rules=rules, today=today)
    validate_collections(data)
    present = set(data.model_fields_set)
    for attr in _REQUIRED & present:
        if getattr(data, attr) is None:
            raise InvalidInput(f"'{attr}' cannot be emptied.", errors=[{"field": attr, "message": "required"}])
    before = snapshot(session=session, assoc=assoc, labels=labels, rules=rules, today=today)
    renamed = "name_vi" in present and data.name_vi is not None and data.name_vi != assoc.name_vi
    warnings = check_name(session=session, name_vi=data.name_vi, rules=rules, exclude_id=assoc.id) if renamed and data.name_vi else []
    for attr, column in _SCALARS.items():
        if attr in present:
            setattr(assoc, column, getattr(data, attr))
    if renamed:
        flush_name(session=session, assoc=assoc, rules=rules)
    assert assoc.id is not None
    _replace_collections(session, assoc.id, data, present)
    refresh_derived(session=session, assoc=assoc, rules=rules, today=today)
    after = snapshot(session=session, assoc=assoc, labels=labels, rules=rules, today=today)
    changed = changed_fields(before, after)
    if not changed:
        return Written(assoc, [], warnings)
    assoc.version += 1
    assoc.updated_at = datetime.now(UTC)
    session.add(assoc)
    session.flush()
    write_version(session=session, assoc=assoc, record=after, changed=changed, source=source, actor=principal.sub)
    outbox.emit(session, "govnet.ngo.association.updated.v1", subject=assoc.id, data={"id": assoc.id, "version": assoc.version, "changed_fields": changed, "source": source})
    return Written(assoc, changed, warnings)


def history(*, session: Session, association_id: int) -> list[VersionOut]:
    """Every version of a record, newest first."""
    rows = session.exec(select(RecordVersion).where(RecordVersion.association_id == association_id).order_by(col(RecordVersion.version).desc())).all()
    return [
        VersionOut(version=r.version, changed_fields=r.changed_fields, source=r.source, actor=r.actor, changed_at=r.changed_at.isoformat(), snapshot=r.snapshot)
        for r in rows
    ]
