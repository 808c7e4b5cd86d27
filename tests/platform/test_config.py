"""shared/config.py: settings come only from ``GOVNET_*`` variables (issue 9, item 11)."""

from __future__ import annotations

import pytest

from services.gateway.settings import GatewaySettings
from services.ipam.settings import IpamSettings
from shared.config import SuiteSettings


def test_hardening_11_settings_ignore_variables_without_the_govnet_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    default = SuiteSettings().jwks_url
    for name, value in {
        "JWKS_URL": "http://attacker.invalid/jwks.json",
        "jwks_url": "http://attacker.invalid/lower.json",
        "JWT_ISSUER": "http://attacker.invalid",
        "KAFKA_BOOTSTRAP": "attacker.invalid:9092",
        "DATABASE_URL": "sqlite:////tmp/attacker.db",
        "PORT": "1",
    }.items():
        monkeypatch.setenv(name, value)
    for settings in (SuiteSettings(), IpamSettings(), GatewaySettings()):
        assert settings.jwks_url == default
        assert settings.jwt_issuer == "http://127.0.0.1:8000"
        assert settings.kafka_bootstrap == "127.0.0.1:9092"
    assert IpamSettings().database_url.endswith("ipam.db") and IpamSettings().port == 8101

    monkeypatch.setenv("GOVNET_JWKS_URL", "file:///etc/govnet/jwks.json")
    monkeypatch.setenv("GOVNET_IPAM_PORT", "9101")
    assert SuiteSettings().jwks_url == "file:///etc/govnet/jwks.json"
    assert IpamSettings().jwks_url == "file:///etc/govnet/jwks.json"
    assert GatewaySettings().jwks_url == "file:///etc/govnet/jwks.json"
    assert IpamSettings().port == 9101
    # keyword arguments (tests, the CLI) still set a value by its field name
    assert IpamSettings(jwks_url="file:///x").jwks_url == "file:///x"
