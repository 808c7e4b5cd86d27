"""shared/observability.py: request ids, the body limit and the links the gateway's forwarded
address shapes, as every service's middleware applies them."""

from __future__ import annotations


def test_request_id_is_echoed_or_generated(db_url: str, make_client) -> None:
    client = make_client("ipam", db_url)
    echoed = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces\n"})
    assert generated.headers["x-request-id"] != "bad id with spaces\n"
    assert len(generated.headers["x-request-id"]) == 32


def test_body_over_the_limit_is_413(db_url: str, make_client) -> None:
    client = make_client("incidents", db_url, max_body_bytes=1000)
    response = client.post("/api/v1/incidents/anything", content=b"x" * 5000)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_links_use_the_public_address_the_gateway_forwards(db_url: str, make_client, keys) -> None:
    client = make_client("ipam", db_url)
    headers = keys.headers("ipam:read ipam:write")
    for code in ("T1", "T2"):
        body = {"code": code, "name": f"Sở thử {code}", "level": "province"}
        assert client.post("/api/v1/ipam/agencies", json=body, headers=headers).status_code in (200, 201)
    direct = client.get("/api/v1/ipam/agencies?limit=1", headers=headers).json()
    assert direct["next"].startswith("http://testserver/api/v1/ipam/agencies")
    forwarded = {**headers, "X-Forwarded-Host": "govnet.angiang.gov.vn", "X-Forwarded-Proto": "https"}
    proxied = client.get("/api/v1/ipam/agencies?limit=1", headers=forwarded).json()
    assert proxied["next"].startswith("https://govnet.angiang.gov.vn/api/v1/ipam/agencies?")
    spoofed = {**headers, "X-Forwarded-Host": "evil.example/<script>"}
    assert client.get("/api/v1/ipam/agencies?limit=1", headers=spoofed).json()["next"].startswith("http://testserver/")
