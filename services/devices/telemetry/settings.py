"""Settings of SNMP telemetry (``GOVNET_DEVICES_POLLER_*``, ``..._TELEMETRY_*``), mixed into the devices settings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class TelemetrySettings(BaseModel):
    """How often and how hard the poller polls, and how long samples are kept."""

    poller_interval: float = Field(default=300.0, gt=0, description="Seconds between polls of a device")
    poller_jitter: float = Field(
        default=0.1, ge=0, le=0.5, description="Share of the interval a cycle may shift"
    )
    poller_port: int = Field(default=161, ge=1, le=65535, description="UDP port the agents answer on")
    poller_concurrency: int = Field(default=100, ge=1, description="Devices polled at once")
    poller_timeout: float = Field(default=2.0, gt=0, description="Seconds per SNMP request")
    poller_retries: int = Field(default=1, ge=0)
    poller_max_repetitions: int = Field(default=25, ge=1, le=500, description="GETBULK rows per request")
    poller_backoff_max: float = Field(
        default=3600.0, gt=0, description="Longest wait before retrying a dead device"
    )
    poller_down_after: int = Field(
        default=2, ge=1, description="Failed polls in a row before a device is down"
    )
    poller_sharded: bool = Field(
        default=False, description="Share devices with other pollers via a Kafka consumer group"
    )
    poller_partitions: int = Field(
        default=12, ge=1, le=1000, description="Shards (the group topic's partitions)"
    )
    uplink_ruleset: Literal["qd58_2024", "tt06_2026"] = Field(
        default="qd58_2024", description="Occupancy rule of the uplink report: qd58_2024 or tt06_2026"
    )
    telemetry_coverage_tolerance: float = Field(
        default=0.01,
        ge=0,
        le=0.1,
        description="Share of a day's expected samples that may be absent (poll jitter)",
    )
    telemetry_retention_days: int = Field(default=396, ge=92, description="Raw samples kept (13 months)")
    telemetry_timezone: str = Field(
        default="Asia/Ho_Chi_Minh", description="Zone of the daily roll-up's days"
    )
