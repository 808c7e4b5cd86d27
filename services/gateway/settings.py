"""Settings of the gateway service (``GOVNET_GATEWAY_*`` plus the suite's ``GOVNET_*``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class GatewaySettings(ServiceSettings):
    """Settings of the gateway service."""

    service_name: ClassVar[str] = "gateway"
    model_config = SettingsConfigDict(env_prefix="GOVNET_GATEWAY_", extra="ignore", populate_by_name=True)

    # -- tokens ------------------------------------------------------------------------------
    access_token_seconds: int = 300
    refresh_token_seconds: int = 8 * 3600
    #: how long a verified token stays in the in-process cache (never beyond its exp)
    token_cache_size: int = 10_000
    #: how stale the in-memory view of grant states may be, in seconds (revocation bound)
    grant_cache_seconds: float = 0.5
    #: how often the signing keys are re-read from the database (another process may rotate)
    key_reload_seconds: float = 30.0

    # -- passwords (defaults per rules.py; argon2id cost, RFC 9106 second recommended option) --
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4

    # -- upstreams ---------------------------------------------------------------------------
    upstream_ipam: str = "http://127.0.0.1:8101"
    upstream_devices: str = "http://127.0.0.1:8102"
    upstream_incidents: str = "http://127.0.0.1:8103"
    upstream_ngo: str = "http://127.0.0.1:8104"
    upstream_connect_timeout: float = 2.0
    upstream_read_timeout: float = 30.0
    upstream_max_connections: int = 200
    upstream_max_keepalive: int = 50
    upstream_connect_retries: int = 2
    #: idle pooled connections are dropped after this many seconds; it must stay below the
    #: upstreams' own keep-alive timeout (uvicorn closes idle connections after 5 s), or a
    #: request can go out on a connection the upstream is closing at that moment
    upstream_keepalive_expiry: float = 2.0
    #: an idempotent request without a body that fails on a pooled connection the upstream had
    #: closed (read/write error, disconnect before an answer) is resent this many times
    upstream_stale_retries: int = 1

    # -- rate limits (token buckets) ---------------------------------------------------------
    rate_limit_enabled: bool = True
    #: per client (sub of the token): sustained requests per second and burst size
    rate_limit_client_rps: float = 200.0
    rate_limit_client_burst: int = 400
    #: per IP address for anonymous callers (public routes, token endpoint, login)
    rate_limit_anonymous_rps: float = 10.0
    rate_limit_anonymous_burst: int = 40

    # -- browser-facing ----------------------------------------------------------------------
    cors_origins: list[str] = Field(default_factory=lambda: ["http://127.0.0.1:8000", "http://localhost:8000"])

    # -- audit -------------------------------------------------------------------------------
    audit_flush_seconds: float = 0.1
    audit_batch_max: int = 5000

    @property
    def upstreams(self) -> dict[str, str]:
        """URL segment -> base URL of the owning service."""
        return {
            "ipam": self.upstream_ipam.rstrip("/"),
            "devices": self.upstream_devices.rstrip("/"),
            "incidents": self.upstream_incidents.rstrip("/"),
            "ngo": self.upstream_ngo.rstrip("/"),
        }
