"""Settings of the ngo_registry service (``GOVNET_NGO_REGISTRY_*`` plus the suite's ``GOVNET_*``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import field_validator
from pydantic_settings import SettingsConfigDict

from services.ngo_registry.rules import RULE_SETS, RuleSet, rule_set
from shared.config import ServiceSettings


class NgoRegistrySettings(ServiceSettings):
    """Settings of the ngo_registry service."""

    service_name: ClassVar[str] = "ngo_registry"
    model_config = SettingsConfigDict(env_prefix="GOVNET_NGO_REGISTRY_", extra="ignore", populate_by_name=True)

    #: which legal parameter set applies (see rules.py): decree_45_2010 or decree_126_2024
    rule_set: str = "decree_45_2010"
    #: weekly backups kept (G18)
    backup_keep: int = 8
    #: seconds between scheduled backups while the service runs (a week)
    backup_interval_seconds: float = 7 * 24 * 3600
    #: run the scheduled backup at all
    backup_schedule_enabled: bool = True
    #: seconds between scans for overdue congresses (emits congress.overdue events)
    congress_scan_interval_seconds: float = 24 * 3600
    #: fees for value-added data (G8) when the schedule has no row for a dataset
    fee_per_request_vnd: int = 2_000
    fee_per_row_vnd: int = 100
    #: largest uploaded file accepted in a submission, in bytes
    max_upload_bytes: int = 5 * 1024 * 1024

    @field_validator("rule_set")
    @classmethod
    def _known_rule_set(cls, value: str) -> str:
        if value not in RULE_SETS:
            raise ValueError(f"unknown rule set {value!r}; choose one of {', '.join(RULE_SETS)}")
        return value

    @property
    def rules(self) -> RuleSet:
        return rule_set(self.rule_set)

    @property
    def data_dir(self) -> Path:
        """Where this service keeps files (raw submissions, backups)."""
        return self.var_dir / "ngo_registry"

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def backup_dir(self) -> Path:
        return self.var_dir / "backups"
