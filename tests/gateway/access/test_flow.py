"""The whole flow through real HTTP (G7, G12, G13): register -> approve -> client credentials ->
token -> a proxied call to the real IPAM service succeeds -> revoke -> the same token is refused
within one second, and govnet.gateway.grant.revoked.v1 sits in the outbox."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from shared import migrations
from tests.conftest import service_settings
from tests.gateway.conftest import GatewayHarness, ThreadedServer, basic


@pytest.fixture
def ipam_upstream(tmp_path: Path) -> Iterator[tuple[ThreadedServer, Path]]:
    from services.ipam.app import create_app as create_ipam

    url = f"sqlite:///{tmp_path / 'ipam.db'}"
    migrations.upgrade("ipam", url)
    jwks = tmp_path / "gateway-jwks.json"
    settings = service_settings("ipam", url, jwks_url=f"file://{jwks}", var_dir=tmp_path / "ipam-var")
    with ThreadedServer(create_ipam(settings)) as server:
        yield server, jwks


def test_g12_register_approve_token_proxy_revoke(harness: GatewayHarness, ipam_upstream) -> None:  # type: ignore[no-untyped-def]
    server, jwks_file = ipam_upstream
    h = harness
    h.gw.settings.upstream_ipam = server.url
    jwks_file.write_text(json.dumps(h.client.get("/.well-known/jwks.json").json()))
    admin = h.admin()

    # the administrator registers the organisation and its representative
    org = h.client.post("/api/v1/access/organisations", headers=admin,
                        json={"name": "Văn phòng UBND tỉnh An Giang", "kind": "agency"}).json()
    rep = h.client.post("/api/v1/access/users", headers=admin, json={
        "username": "nguyenvana", "password": "Tam-Thoi-2026!", "org_id": org["id"], "full_name": "Nguyễn Văn A",
        "position": "Chánh Văn phòng", "is_representative": True}).json()
    assert rep["must_change"] is True
    h.client.post("/auth/password", json={"username": "nguyenvana", "current_password": "Tam-Thoi-2026!",
                                          "new_password": "Dang-Ky-Moi-2026"})
    rep_token = h.client.post("/auth/login", json={"username": "nguyenvana", "password": "Dang-Ky-Moi-2026"}).json()
    rep_h = {"Authorization": f"Bearer {rep_token['access_token']}"}

    # the representative files a registration form (phiếu đăng ký)
    reg = h.client.post("/api/v1/access/registrations", headers=rep_h, json={
        "org_id": org["id"], "purpose": "Tra cứu quy hoạch địa chỉ IP của các đơn vị",
        "officials": [{"name": "Trần Thị B", "position": "Chuyên viên CNTT", "email": "ttb@angiang.gov.vn", "phone": "0296 3852 000"}],
        "requested_scopes": ["ipam:read", "ipam:write"], "period_from": "2026-01-01", "period_until": "2030-12-31"})
    assert reg.status_code == 201, reg.text
    assert reg.json()["state"] == "submitted"
    # a representative cannot approve their own form
    assert h.client.post(f"/api/v1/access/registrations/{reg.json()['id']}/approve", headers=rep_h, json={}).status_code == 403

    # the administrator approves it, narrowed to read-only
    grant = h.client.post(f"/api/v1/access/registrations/{reg.json()['id']}/approve", headers=admin,
                          json={"scopes": ["ipam:read"]})
    assert grant.status_code == 201, grant.text
    assert grant.json()["scopes"] == ["ipam:read"] and grant.json()["status"] == "active"
    assert h.client.get(f"/api/v1/access/registrations/{reg.json()['id']}", headers=rep_h).json()["state"] == "approved"

    # the organisation's system client gets a token by client credentials
    client = h.client.post("/api/v1/access/clients", headers=rep_h, json={"name": "Hệ thống một cửa", "org_id": org["id"]}).json()
    token_r = h.client.post("/oauth/token", data={"grant_type": "client_credentials"},
                            headers=basic(client["client_id"], client["client_secret"]))
    assert token_r.status_code == 200 and token_r.json()["scope"] == "ipam:read"
    bearer = {"Authorization": f"Bearer {token_r.json()['access_token']}"}

    # a proxied call reaches the real IPAM service, which verifies the same token itself
    ok = h.client.get("/api/v1/ipam/agencies", headers={**bearer, "X-Request-ID": "flow-1"})
    assert ok.status_code == 200, ok.text
    assert "results" in ok.json() or isinstance(ok.json(), list)
    assert ok.headers["x-request-id"] == "flow-1"

    # revoke: the very same token is refused within one second
    revoked_at = time.monotonic()
    assert h.client.post(f"/api/v1/access/grants/{grant.json()['id']}/revoke", headers=admin,
                         json={"reason": "Đơn vị đề nghị dừng khai thác"}).status_code == 200
    while True:
        refused = h.client.get("/api/v1/ipam/agencies", headers=bearer)
        if refused.status_code == 401 or time.monotonic() - revoked_at > 1.0:
            break
        time.sleep(0.05)
    assert refused.status_code == 401 and time.monotonic() - revoked_at <= 1.0
    assert refused.headers["content-type"] == "application/problem+json"
    # no new token either
    again = h.client.post("/oauth/token", data={"grant_type": "client_credentials"},
                          headers=basic(client["client_id"], client["client_secret"]))
    assert again.status_code == 400 and again.json()["error"] == "invalid_scope"

    with h.gw.database.transaction(write=False) as session:
        payloads = session.execute(text("SELECT payload FROM outbox")).scalars().all()
    types = [json.loads(p)["type"] for p in payloads]
    assert "govnet.gateway.grant.revoked.v1" in types and "govnet.gateway.grant.approved.v1" in types


def test_g12_rejection_needs_a_reason(harness: GatewayHarness) -> None:
    admin = harness.admin()
    org = harness.client.post("/api/v1/access/organisations", headers=admin, json={"name": "Hội Chữ thập đỏ", "kind": "association"}).json()
    reg = harness.client.post("/api/v1/access/registrations", headers=admin, json={
        "org_id": org["id"], "purpose": "Khai thác dữ liệu hội", "officials": [{"name": "Lê Văn C"}],
        "tiers": ["basic", "value_added"], "period_from": "2026-01-01", "period_until": "2026-12-31"}).json()
    assert reg["requested_scopes"] == ["ngo:read:basic", "ngo:read:value_added"]
    empty = harness.client.post(f"/api/v1/access/registrations/{reg['id']}/reject", headers=admin, json={"reason": ""})
    assert empty.status_code == 422
    done = harness.client.post(f"/api/v1/access/registrations/{reg['id']}/reject", headers=admin, json={"reason": "Thiếu công văn"})
    assert done.json()["state"] == "rejected" and done.json()["reason"] == "Thiếu công văn"
    assert harness.client.post(f"/api/v1/access/registrations/{reg['id']}/approve", headers=admin, json={}).status_code == 409
