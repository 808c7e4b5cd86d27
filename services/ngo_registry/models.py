"""Every table of the ngo_registry service, on one metadata (for migrations and backups).

Each domain keeps its tables in its own ``models.py``; importing this module registers them all
on :data:`Base`'s metadata, which Alembic's autogenerate and the backup fingerprints read.
"""

from __future__ import annotations

from services.ngo_registry.categories.models import Category
from services.ngo_registry.database import EVENT_TABLES, Base
from services.ngo_registry.documents.models import PartyDocument
from services.ngo_registry.fees.models import FeeMeter, FeeSchedule
from services.ngo_registry.records.models import (
    AffiliatedUnit,
    Association,
    AssociationLink,
    AssociationStatus,
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
from services.ngo_registry.submissions.models import RawFile, Submission

__all__ = [
    "EVENT_TABLES",
    "AffiliatedUnit",
    "Association",
    "AssociationLink",
    "AssociationStatus",
    "Base",
    "Category",
    "ClassifiedRefusal",
    "Congress",
    "FeeMeter",
    "FeeSchedule",
    "FieldProvenance",
    "Funding",
    "Leader",
    "MemberCount",
    "PartyDocument",
    "RawFile",
    "RecordVersion",
    "StaffAllocation",
    "StatusChange",
    "Submission",
]
