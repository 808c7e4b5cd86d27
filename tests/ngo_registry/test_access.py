"""The one place for authorisation (services/ngo_registry/access.py), as pure functions: tiers (G2, G7)."""

from __future__ import annotations

from services.ngo_registry.access import FIELD_TIERS, Tier, caller_tier, filter_tier
from services.ngo_registry.records.schemas import AssociationSummary, HeadOffice
from shared.auth import Principal


def _principal(*scopes: str, org: str | None = None) -> Principal:
    return Principal(sub="u", org=org, scopes=frozenset(scopes), grant=None)


def test_caller_tier_follows_scopes_and_an_association_reads_its_own_record_in_full() -> None:
    assert caller_tier(None) is Tier.PUBLIC
    assert caller_tier(_principal("ngo:admin")) is Tier.FULL
    assert caller_tier(_principal("ngo:read:advanced")) is Tier.ADVANCED
    assert caller_tier(_principal("ngo:read:basic")) is Tier.BASIC
    assert caller_tier(_principal("ngo:read:value_added")) is Tier.BASIC
    assert caller_tier(_principal("ngo:submit", org="7"), association_id=7) is Tier.FULL
    assert caller_tier(_principal("ngo:submit", org="7"), association_id=8) is Tier.PUBLIC


def test_filter_tier_leaves_out_fields_and_sub_fields_above_the_tier() -> None:
    record = AssociationSummary(
        id=1, name_vi="Hội", chair_name="Bùi Thị Hòa", version=3,
        head_office=HeadOffice(address="Hà Nội", phone=None, area_m2=850.5, origin=None),
    )
    public = filter_tier(record, Tier.PUBLIC).model_dump(exclude_unset=True)
    assert public == {"id": 1, "name_vi": "Hội", "head_office": {"address": "Hà Nội", "phone": None}, "tier": "public"}
    basic = filter_tier(record, Tier.BASIC).model_dump(exclude_unset=True)
    assert basic["chair_name"] == "Bùi Thị Hòa" and basic["version"] == 3 and "area_m2" not in basic["head_office"]
    advanced = filter_tier(record, Tier.ADVANCED).model_dump(exclude_unset=True)
    assert advanced["head_office"]["area_m2"] == 850.5 and advanced["tier"] == "advanced"
    # a field no tier lists is for the full tier only
    assert "changed_fields" not in FIELD_TIERS
