"""Settings: one pydantic-settings base (prefix ``GOVNET_``) and one class per service.

Suite-wide values (broker, JWT issuer, JWKS) are read from ``GOVNET_<NAME>``; a service's own
values (database URL, port) from ``GOVNET_<SERVICE>_<NAME>``, e.g. ``GOVNET_IPAM_DATABASE_URL``.
Only prefixed variables are read: ``JWKS_URL`` or ``DATABASE_URL`` without the prefix are ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent

SERVICE_NAMES: tuple[str, ...] = ("gateway", "ipam", "devices", "incidents", "ngo_registry")
DEFAULT_PORTS: dict[str, int] = {
    "gateway": 8000,
    "ipam": 8101,
    "devices": 8102,
    "incidents": 8103,
    "ngo_registry": 8104,
}
#: the short name of a service in URLs (/api/v1/<segment>/), event types and topics
SEGMENTS: dict[str, str] = {
    "gateway": "gateway",
    "ipam": "ipam",
    "devices": "devices",
    "incidents": "incidents",
    "ngo_registry": "ngo",
}
DLQ_TOPIC = "govnet.dlq"


def topic_of(service: str) -> str:
    """The topic a service publishes to: ``govnet.<segment>.events``."""
    return f"govnet.{SEGMENTS.get(service, service)}.events"


def source_of(service: str) -> str:
    """The CloudEvents ``source`` of a service's events: ``/govnet/<segment>``."""
    return f"/govnet/{SEGMENTS.get(service, service)}"


ALL_TOPICS: tuple[str, ...] = (*(topic_of(s) for s in SERVICE_NAMES), DLQ_TOPIC)


def _suite(name: str) -> AliasChoices:
    # only the prefixed variable: a bare JWKS_URL or LOG_LEVEL left in a container's environment
    # must not change where tokens are verified (keyword arguments still work: populate_by_name)
    return AliasChoices(f"GOVNET_{name.upper()}")


class SuiteSettings(BaseSettings):
    """Values every service shares; read from ``GOVNET_*``."""

    model_config = SettingsConfigDict(env_prefix="GOVNET_", extra="ignore", populate_by_name=True)

    var_dir: Path = Field(default=REPO_ROOT / "var", validation_alias=_suite("var_dir"))
    kafka_bootstrap: str = Field(default="127.0.0.1:9092", validation_alias=_suite("kafka_bootstrap"))
    #: Kafka's idempotent producer; on for Apache Kafka, off for the embedded broker (no InitProducerId)
    kafka_idempotent: bool = Field(default=False, validation_alias=_suite("kafka_idempotent"))
    #: relays create their topic with CreateTopics when they connect. Off for the embedded broker:
    #: tansu's auto-creation (on produce or subscribe) and CreateTopics race each other and can
    #: leave two versions of one topic; `govnet up` creates every topic once before the services
    #: start. On for Apache Kafka, whose controller serialises topic creation.
    kafka_create_topics: bool = Field(default=False, validation_alias=_suite("kafka_create_topics"))
    kafka_partitions: int = Field(default=3, validation_alias=_suite("kafka_partitions"))
    dlq_after_failures: int = Field(default=3, validation_alias=_suite("dlq_after_failures"))
    #: how long the broker may hold a fetch open waiting for data; tansu always waits it out,
    #: so it bounds end-to-end latency
    consumer_fetch_max_wait_ms: int = Field(default=20, validation_alias=_suite("consumer_fetch_max_wait_ms"))
    relay_batch_size: int = Field(default=500, validation_alias=_suite("relay_batch_size"))
    relay_idle_seconds: float = Field(default=0.05, validation_alias=_suite("relay_idle_seconds"))
    events_enabled: bool = Field(default=True, validation_alias=_suite("events_enabled"))
    jwt_issuer: str = Field(default="http://127.0.0.1:8000", validation_alias=_suite("jwt_issuer"))
    jwt_audience: str = Field(default="govnet", validation_alias=_suite("jwt_audience"))
    #: where services fetch the gateway's public keys: http(s)://… or file://…
    jwks_url: str = Field(
        default="http://127.0.0.1:8000/.well-known/jwks.json", validation_alias=_suite("jwks_url")
    )
    log_level: str = Field(default="INFO", validation_alias=_suite("log_level"))
    log_json: bool = Field(default=True, validation_alias=_suite("log_json"))
    #: largest request body a service accepts, in bytes
    max_body_bytes: int = Field(default=10 * 1024 * 1024, validation_alias=_suite("max_body_bytes"))
    max_page_size: int = Field(default=1000, validation_alias=_suite("max_page_size"))
    load_demo_data: bool = Field(default=False, validation_alias=_suite("load_demo_data"))


class ServiceSettings(SuiteSettings):
    """A service's settings: the suite's plus ``GOVNET_<SERVICE>_*``."""

    service_name: ClassVar[str] = ""

    host: str = "127.0.0.1"
    port: int = 0
    database_url: str = ""

    def model_post_init(self, __context: object) -> None:
        if not self.port:
            self.port = DEFAULT_PORTS.get(self.service_name, 0)
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / (self.service_name + '.db')}"

