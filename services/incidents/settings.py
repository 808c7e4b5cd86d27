"""Settings of the incidents service (``GOVNET_INCIDENTS_*`` plus the suite's ``GOVNET_*``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class IncidentsSettings(ServiceSettings):
    """Settings of the incidents service."""

    service_name: ClassVar[str] = "incidents"
    model_config = SettingsConfigDict(env_prefix="GOVNET_INCIDENTS_", extra="ignore", populate_by_name=True)
