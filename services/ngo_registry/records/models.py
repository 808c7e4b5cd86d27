"""Tables of an association's record: the Form 1 fields, its collections, status changes, versions and provenance (G1, G17)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from services.ngo_registry.database import Base, association_fk, timestamp
from shared.db import EnumText


class AssociationStatus(StrEnum):
    """Whether an association operates; every other value is set by a terminal status change."""

    ACTIVE = "active"
    DIVIDED = "divided"
    MERGED = "merged"
    CONSOLIDATED = "consolidated"
    DISSOLVED = "dissolved"


#: the rows the unique name index covers (its WHERE clause, the same text on both backends)
LIVE_NAME = "status <> 'dissolved' AND name_duplicate_of IS NULL"


class Association(Base, table=True):
    """An association (hội) or NGO: the Form 1 record (G1, G17)."""

    __tablename__ = "association"
    __table_args__ = (
        sa.Index("ix_association_field_name", "field_code", "name_vi"),
        sa.Index("ix_association_agency_name", "managing_agency_code", "name_vi"),
        sa.Index("ix_association_nature_name", "nature_code", "name_vi"),
        sa.Index("ix_association_scope", "scope_code"),
        sa.Index("ix_association_next_congress_due", "next_congress_due"),
        sa.Index("ix_association_search_text", "search_text"),
        sa.Index("ix_association_updated_at", "updated_at"),
        sa.Index("ix_association_status_name", "status", "name_vi", "chair_name"),
        sa.Index("ix_association_status_due", "status", "next_congress_due"),
        sa.Index("ix_association_status_nature_scope", "status", "nature_code", "scope_code", "special_status"),
        sa.Index("ix_association_status_origin_area", "status", "office_origin_code", "office_area_m2"),
        sa.Index("ix_association_name_key", "name_key"),
        # the name rule in the database (Decree 45/2010 Art. 4): one live holder per folded name,
        # so two concurrent creates of one name cannot both commit; dissolved records free their
        # name, and records the name-rule migration found sharing one are left out (revision b5d2e8f4a1c7)
        sa.Index("uq_association_live_name_key", "name_key", unique=True, sqlite_where=sa.text(LIVE_NAME), postgresql_where=sa.text(LIVE_NAME)),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    name_vi: str = Field(max_length=500)
    name_foreign: str | None = Field(default=None, max_length=500)
    abbreviation: str | None = Field(default=None, max_length=100)
    name_type_code: str = Field(max_length=60)
    scope_code: str = Field(max_length=60)
    purpose: str | None = Field(default=None, sa_type=sa.Text)
    field_code: str = Field(max_length=60)
    managing_agency_code: str = Field(max_length=60)
    nature_code: str = Field(max_length=60)
    special_status: bool = False
    founding_decision_number: str | None = Field(default=None, max_length=100)
    founding_decision_date: date | None = None
    founding_decision_issuer: str | None = Field(default=None, max_length=300)
    charter_decision_number: str | None = Field(default=None, max_length=100)
    charter_approval_date: date | None = None
    office_address: str | None = Field(default=None, max_length=500)
    office_phone: str | None = Field(default=None, max_length=50)
    office_area_m2: float | None = None
    office_origin_code: str | None = Field(default=None, max_length=60)
    dossier_number: str | None = Field(default=None, max_length=100)
    dossier_location: str | None = Field(default=None, max_length=300)
    dossier_reconciled_on: date | None = None
    status: AssociationStatus = Field(default=AssociationStatus.ACTIVE, sa_type=EnumText(AssociationStatus, 30))
    #: the Vietnamese name folded (text.fold_name): what the name rule compares
    name_key: str = Field(default="", max_length=600, sa_column_kwargs={"server_default": ""})
    #: set only by the name-rule migration: the older live record that already held this name.
    #: Such a record stays as registered but outside the unique index until it is renamed. A
    #: plain integer, not a foreign key: SQLite cannot add one without rebuilding the table.
    name_duplicate_of: int | None = None
    #: the normalised (lower-case, diacritics removed) names for diacritic-insensitive search
    search_text: str = Field(default="", max_length=1200)
    #: denormalised from leaders/congresses for fast lists
    chair_name: str | None = Field(default=None, max_length=300)
    last_congress_on: date | None = None
    last_term_number: int | None = None
    term_years: int | None = None
    next_congress_due: date | None = None
    overdue_level_notified: int = 0
    version: int = 1
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()

class Leader(Base, table=True):
    """A leader of an association: role, name, period."""

    __tablename__ = "leader"
    __table_args__ = (sa.Index("ix_leader_role_current", "role_code", "to_date"), sa.Index("ix_leader_association_current", "association_id", "to_date", "role_code"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True)
    association_id: int = association_fk()
    role_code: str = Field(max_length=60)
    full_name: str = Field(max_length=300)
    from_date: date | None = None
    to_date: date | None = None

class Congress(Base, table=True):
    """A congress (đại hội): founding, term or extraordinary."""

    __tablename__ = "congress"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    association_id: int = association_fk()
    kind_code: str = Field(max_length=60)
    held_on: date
    term_number: int | None = None
    term_years: int | None = None
    delegates: int | None = None

class MemberCount(Base, table=True):
    """Members by type as of a date."""

    __tablename__ = "member_count"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    association_id: int = association_fk()
    as_of: date
    member_type_code: str = Field(max_length=60)
    count: int

class StaffAllocation(Base, table=True):
    """State-assigned staff (biên chế) of a special-status association in a year."""

    __tablename__ = "staff_allocation"
    __table_args__ = (sa.UniqueConstraint("association_id", "year"), sa.Index("ix_staff_allocation_year", "year"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True)
    association_id: int = Field(sa_column_args=[sa.ForeignKey("association.id", ondelete="CASCADE")])
    year: int
    staff: int

class Funding(Base, table=True):
    """Operating funds of a year by source, in VND (integers)."""

    __tablename__ = "funding"
    __table_args__ = (sa.Index("ix_funding_year_source", "year", "source_code", "association_id", "amount_vnd"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True)
    association_id: int = association_fk()
    year: int
    source_code: str = Field(max_length=60)
    amount_vnd: int = Field(sa_type=sa.BigInteger)

class AffiliatedUnit(Base, table=True):
    """A legal entity, representative office or branch of an association."""

    __tablename__ = "affiliated_unit"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    association_id: int = association_fk()
    kind_code: str = Field(max_length=60)
    name: str = Field(max_length=500)
    address: str | None = Field(default=None, max_length=500)
    decision_number: str | None = Field(default=None, max_length=100)

class StatusChange(Base, table=True):
    """A rename, division, split-off, merger, consolidation or dissolution."""

    __tablename__ = "status_change"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    association_id: int = association_fk()
    kind_code: str = Field(max_length=60)
    decision_number: str = Field(max_length=100)
    decision_date: date
    note: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = timestamp()

class AssociationLink(Base, table=True):
    """A predecessor -> successor link created by a status change (read both ways)."""

    __tablename__ = "association_link"
    __table_args__ = (sa.UniqueConstraint("status_change_id", "predecessor_id", "successor_id"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True)
    status_change_id: int = Field(sa_column_args=[sa.ForeignKey("status_change.id", ondelete="CASCADE")])
    predecessor_id: int = association_fk()
    successor_id: int = association_fk()

class RecordVersion(Base, table=True):
    """A full snapshot of a record after each change (the history)."""

    __tablename__ = "record_version"
    __table_args__ = (sa.UniqueConstraint("association_id", "version"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True)
    association_id: int = Field(sa_column_args=[sa.ForeignKey("association.id", ondelete="CASCADE")])
    version: int
    snapshot: dict[str, Any] = Field(sa_type=sa.JSON)
    changed_fields: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    source: str = Field(max_length=100)
    actor: str = Field(max_length=200)
    changed_at: datetime = timestamp()

class FieldProvenance(Base, table=True):
    """Who last set each field of a record: a submission or a staff member, and when."""

    __tablename__ = "field_provenance"
    __table_args__ = (sa.UniqueConstraint("association_id", "field"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True)
    association_id: int = Field(sa_column_args=[sa.ForeignKey("association.id", ondelete="CASCADE")])
    field: str = Field(max_length=100)
    source: str = Field(max_length=100)
    actor: str = Field(max_length=200)
    at: datetime = timestamp()

class ClassifiedRefusal(Base, table=True):
    """An attempt to store information marked Mật, Tối mật or Tuyệt mật (refused, G1)."""

    __tablename__ = "classified_refusal"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp()
    sub: str = Field(max_length=200)
    org: str | None = Field(default=None, max_length=200)
    route: str = Field(max_length=300)
    marking: str = Field(max_length=30)
    where: str = Field(max_length=300)
