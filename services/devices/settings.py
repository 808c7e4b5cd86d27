"""Settings of the devices service (``GOVNET_DEVICES_*`` plus the suite's ``GOVNET_*``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from services.devices.inventory.settings import InventorySettings
from services.devices.syslog.settings import SyslogSettings
from services.devices.telemetry.settings import TelemetrySettings
from shared.config import ServiceSettings


class DevicesSettings(ServiceSettings, SyslogSettings, TelemetrySettings, InventorySettings):
    """Settings of the devices service."""

    service_name: ClassVar[str] = "devices"
    model_config = SettingsConfigDict(env_prefix="GOVNET_DEVICES_", extra="ignore", populate_by_name=True)
