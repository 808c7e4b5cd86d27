"""shared/app.py: every service is a real FastAPI app with the same probes and OpenAPI document."""

from __future__ import annotations

import pytest

from shared.config import SERVICE_NAMES


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_every_service_serves_probes_metrics_and_openapi(service: str, db_url: str, make_client) -> None:
    client = make_client(service, db_url)
    assert client.get("/healthz").json() == {"status": "ok", "service": service}

    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["checks"]["database"] == "ok"
    # no broker on 127.0.0.1:1: the service says degraded but stays in rotation
    assert body["checks"]["broker"] == "down"
    assert body["status"] == "degraded"

    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert "govnet_http_requests_total" in metrics.text
    assert f'service="{service}"' in metrics.text

    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/healthz" in spec["paths"]
