"""Settings of the gateway service (``GOVNET_GATEWAY_*`` plus the suite's ``GOVNET_*``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class GatewaySettings(ServiceSettings):
    """Settings of the gateway service."""

    service_name: ClassVar[str] = "gateway"
    model_config = SettingsConfigDict(env_prefix="GOVNET_GATEWAY_", extra="ignore", populate_by_name=True)
