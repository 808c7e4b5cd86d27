"""Settings of the ngo_registry service (``GOVNET_NGO_REGISTRY_*`` plus the suite's ``GOVNET_*``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class NgoRegistrySettings(ServiceSettings):
    """Settings of the ngo_registry service."""

    service_name: ClassVar[str] = "ngo_registry"
    model_config = SettingsConfigDict(env_prefix="GOVNET_NGO_REGISTRY_", extra="ignore", populate_by_name=True)
