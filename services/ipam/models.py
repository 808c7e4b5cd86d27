"""Every table of the ipam service on one metadata: what Alembic (``migrations/env.py``) and
``create_all`` see. Each domain defines its own tables; this module only gathers them, plus the
one table that belongs to no domain (the demo-data marker)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field

from services.ipam.addressing.models import (
    AddressRole,
    AddressStatus,
    IpAddress,
    IpRange,
    Prefix,
    PrefixKind,
    PrefixStatus,
    RangeStatus,
    Vrf,
)
from services.ipam.base import EVENT_TABLES, Base, utcnow
from services.ipam.changelog.models import ChangeAction, ChangeLog
from services.ipam.organisation.models import (
    AccessLevel,
    Agency,
    AgencyLevel,
    IpDemand,
    NetworkService,
    ServiceCategory,
    Subscription,
)

__all__ = [
    "EVENT_TABLES", "AccessLevel", "AddressRole", "AddressStatus", "IpRange", "RangeStatus", "Agency", "AgencyLevel", "Base", "ChangeAction", "ChangeLog", "DemoMarker",
    "IpAddress", "IpDemand", "NetworkService", "Prefix", "PrefixKind", "PrefixStatus", "ServiceCategory", "Subscription", "Vrf",
]


class DemoMarker(Base, table=True):
    """Records that demo data was loaded, so it loads once."""

    __tablename__ = "demo_marker"
    name: str = Field(primary_key=True, max_length=50)
    loaded_at: datetime = Field(default_factory=utcnow)
