"""Settings of syslog intake (``GOVNET_DEVICES_SYSLOG_*``), mixed into the devices settings."""

from __future__ import annotations

from pydantic import BaseModel, Field

DEFAULT_PATTERNS: dict[str, str] = {
    "failed_login": r"(?i)failed password|authentication fail|login fail|invalid user|đăng nhập thất bại|LOGIN_FAILED",
    "config_change": r"(?i)CONFIG_I|configuration changed|config(?:uration)? change|cấu hình (?:đã )?thay đổi",
    "interface_flap": r"(?i)LINK-\d-UPDOWN|LINEPROTO-\d-UPDOWN|changed state to (?:up|down)|link (?:up|down)",
}


class SyslogSettings(BaseModel):
    """Where and how syslog is received, stored and turned into security events."""

    syslog_enabled: bool = Field(default=False, description="Run the receiver in the devices service")
    syslog_host: str = "127.0.0.1"
    syslog_port: int = Field(default=5514, ge=0, le=65535, description="UDP and TCP port (0: any free port)")
    syslog_udp: bool = True
    syslog_tcp: bool = True
    syslog_tls_port: int = Field(default=6514, ge=0, le=65535)
    syslog_tls_cert: str | None = Field(default=None, description="PEM certificate: enables RFC 5425 TLS")
    syslog_tls_key: str | None = None
    syslog_timezone: str = Field(default="Asia/Ho_Chi_Minh", description="Zone of RFC 3164 timestamps")
    syslog_max_message: int = Field(default=8192, ge=480, le=65535)
    syslog_queue_size: int = Field(default=20000, ge=1)
    syslog_batch_size: int = Field(default=1000, ge=1)
    syslog_retention_days: int = Field(default=180, ge=1)
    syslog_purge_seconds: float = Field(default=3600.0, gt=0)
    syslog_sender_refresh_seconds: float = Field(default=30.0, gt=0)
    syslog_security_facilities: list[int] = Field(default_factory=lambda: [4, 10, 13, 14])
    syslog_security_severity: int = Field(
        default=4, ge=0, le=7, description="This severity or worse is security relevant"
    )
    syslog_security_patterns: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_PATTERNS))
    syslog_group_wait: float = Field(
        default=10.0, ge=0, description="Seconds a new group waits for more of the same"
    )
    syslog_group_interval: float = Field(
        default=300.0, gt=0, description="Seconds between events of one ongoing group"
    )
    monitoring_signature_days: int = Field(
        default=7, ge=1, description="Art. 9.3 report: signatures older than this fail"
    )
    monitoring_heartbeat_hours: int = Field(
        default=24, ge=1, description="Art. 9.3 report: no heartbeat for this long fails"
    )
    monitoring_antimalware_roles: list[str] = Field(
        default_factory=lambda: ["server", "workstation"],
        description="Device roles that must run anti-malware",
    )
