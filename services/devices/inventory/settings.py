"""Settings of the inventory (``GOVNET_DEVICES_*``), mixed into the devices settings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr


class InventorySettings(BaseModel):
    """Which terminal rule set applies, the credentials key and rotation period, where IPAM is."""

    terminal_ruleset: Literal["qd58_2024", "tt06_2026"] = Field(
        default="qd58_2024", description="Terminal minimum: the seed's Appendix or Circular 06/2026/TT-BKHCN"
    )
    credentials_key: SecretStr | None = Field(
        default=None, description="Fernet key of the monitoring credentials (generated into var/ when unset)"
    )
    credentials_rotation_days: int = Field(default=90, ge=1, le=3650, description="Art. 9.1: change them periodically")
    ipam_url: str = Field(default="http://127.0.0.1:8101", description="IPAM's base URL (management addresses)")
