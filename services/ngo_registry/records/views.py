"""An association's record as the API shows it: the summary lists show and the whole record."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from services.ngo_registry.categories.service import Labels
from services.ngo_registry.records.models import (
    AffiliatedUnit,
    Association,
    AssociationLink,
    AssociationStatus,
    Congress,
    FieldProvenance,
    Funding,
    Leader,
    MemberCount,
    StaffAllocation,
    StatusChange,
)
from services.ngo_registry.records.schemas import (
    AssociationRecord,
    AssociationSummary,
    Charter,
    CongressOut,
    Dossier,
    FoundingDecision,
    FundingOut,
    HeadOffice,
    LeaderOut,
    LinkOut,
    MemberCountOut,
    NextCongress,
    ProvenanceOut,
    StaffOut,
    StatusChangeOut,
    UnitOut,
)
from services.ngo_registry.rules import RuleSet, congress_status

#: parts of a record that change without an edit: left out of the versioned snapshot
_VOLATILE = ("next_congress", "provenance", "version", "updated_at", "created_at")


def _d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _summary_fields(assoc: Association, labels: Labels, rules: RuleSet, today: date) -> dict[str, Any]:
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
        "founding_decision": FoundingDecision(
            number=assoc.founding_decision_number, date=_d(assoc.founding_decision_date), issuer=assoc.founding_decision_issuer
        ),
        "head_office": HeadOffice(
            address=assoc.office_address,
            phone=assoc.office_phone,
            area_m2=assoc.office_area_m2,
            origin=labels.label("office_origin", assoc.office_origin_code),
        ),
        "special_status": assoc.special_status,
        "chair_name": assoc.chair_name,
        "next_congress": next_congress(assoc, rules, today),
        "version": assoc.version,
        "updated_at": assoc.updated_at.isoformat() if assoc.updated_at else None,
    }


def association_summary(assoc: Association, labels: Labels, rules: RuleSet, today: date, *, rank: float | None = None) -> AssociationSummary:
    """The columns of a record shown in lists (with the search rank when searched)."""
    fields = _summary_fields(assoc, labels, rules, today)
    if rank is not None:
        fields["rank"] = round(rank, 4)
    return AssociationSummary(**fields)


def next_congress(assoc: Association, rules: RuleSet, today: date) -> NextCongress | None:
    """When an active association's next term congress is due, and how overdue it is."""
    if assoc.next_congress_due is None or assoc.status != AssociationStatus.ACTIVE:
        return None
    status = congress_status(assoc.next_congress_due, today, rules)
    return NextCongress(
        last_held_on=_d(assoc.last_congress_on),
        last_term_number=assoc.last_term_number,
        due=status.next_due.isoformat(),
        level=int(status.level),
        label=status.label,
        first_flag_on=status.first_flag.isoformat(),
        second_flag_on=status.second_flag.isoformat(),
        third_flag_on=status.third_flag.isoformat(),
    )


def association_record(*, session: Session, assoc: Association, labels: Labels, rules: RuleSet, today: date) -> AssociationRecord:
    """The whole record with its collections, links and provenance."""
    aid = assoc.id
    fields = _summary_fields(assoc, labels, rules, today)
    fields["purpose"] = assoc.purpose
    fields["charter_approval"] = Charter(number=assoc.charter_decision_number, date=_d(assoc.charter_approval_date))
    fields["dossier"] = Dossier(number=assoc.dossier_number, location=assoc.dossier_location, reconciled_on=_d(assoc.dossier_reconciled_on))
    fields["created_at"] = assoc.created_at.isoformat() if assoc.created_at else None
    fields["leaders"] = [
        LeaderOut(role=labels.label("leader_role", x.role_code), full_name=x.full_name, from_date=_d(x.from_date), to_date=_d(x.to_date))
        for x in session.exec(select(Leader).where(Leader.association_id == aid).order_by(col(Leader.id))).all()
    ]
    fields["congresses"] = [
        CongressOut(kind=labels.label("congress_kind", x.kind_code), held_on=_d(x.held_on), term_number=x.term_number, term_years=x.term_years, delegates=x.delegates)
        for x in session.exec(select(Congress).where(Congress.association_id == aid).order_by(col(Congress.held_on))).all()
    ]
    fields["members"] = [
        MemberCountOut(as_of=_d(x.as_of), member_type=labels.label("member_type", x.member_type_code), count=x.count)
        for x in session.exec(select(MemberCount).where(MemberCount.association_id == aid).order_by(col(MemberCount.as_of), col(MemberCount.id))).all()
    ]
    fields["state_staff"] = [
        StaffOut(year=x.year, staff=x.staff)
        for x in session.exec(select(StaffAllocation).where(StaffAllocation.association_id == aid).order_by(col(StaffAllocation.year))).all()
    ]
    fields["funding"] = [
        FundingOut(year=x.year, source=labels.label("funding_source", x.source_code), amount_vnd=x.amount_vnd)
        for x in session.exec(select(Funding).where(Funding.association_id == aid).order_by(col(Funding.year), col(Funding.id))).all()
    ]
    fields["affiliated_units"] = [
        UnitOut(kind=labels.label("unit_kind", x.kind_code), name=x.name, address=x.address, decision_number=x.decision_number)
        for x in session.exec(select(AffiliatedUnit).where(AffiliatedUnit.association_id == aid).order_by(col(AffiliatedUnit.id))).all()
    ]
    changes = session.exec(select(StatusChange).where(StatusChange.association_id == aid).order_by(col(StatusChange.decision_date))).all()
    fields["status_changes"] = [
        StatusChangeOut(id=x.id, kind=labels.label("status_change_kind", x.kind_code), decision_number=x.decision_number, decision_date=_d(x.decision_date), note=x.note)
        for x in changes
    ]
    fields["predecessors"] = _links(session, aid, incoming=True, labels=labels)
    fields["successors"] = _links(session, aid, incoming=False, labels=labels)
    fields["provenance"] = {
        p.field: ProvenanceOut(source=p.source, actor=p.actor, at=p.at.isoformat())
        for p in session.exec(select(FieldProvenance).where(FieldProvenance.association_id == aid)).all()
    }
    return AssociationRecord(**fields)


def _links(session: Session, aid: int | None, *, incoming: bool, labels: Labels) -> list[LinkOut]:
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
        LinkOut(id=r[0], name_vi=r[1], change=labels.label("status_change_kind", r[2]), decision_number=r[3], decision_date=_d(r[4]))
        for r in rows
    ]


def snapshot(*, session: Session, assoc: Association, labels: Labels, rules: RuleSet, today: date) -> dict[str, Any]:
    """The record as a version stores it (JSON), without the parts that change on their own."""
    record = association_record(session=session, assoc=assoc, labels=labels, rules=rules, today=today).model_dump(mode="json", exclude_unset=True)
    for volatile in _VOLATILE:
        record.pop(volatile, None)
    return record
