"""Settings of the ipam service (``GOVNET_IPAM_*`` plus the suite's ``GOVNET_*``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class IpamSettings(ServiceSettings):
    """Settings of the ipam service."""

    service_name: ClassVar[str] = "ipam"
    model_config = SettingsConfigDict(env_prefix="GOVNET_IPAM_", extra="ignore", populate_by_name=True)

    #: which legal rule set applies (services/ipam/rules.py)
    ruleset: str = "tt06_2026"
    #: override of the demand-growth threshold (fraction, e.g. 0.2); None keeps the rule set's
    demand_growth_threshold: float | None = None
    #: largest number of rows one CSV import accepts
    max_import_rows: int = 200_000
