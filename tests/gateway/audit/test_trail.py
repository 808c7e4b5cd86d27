"""G9, N15: every proxied request and identity event is audited, hash-chained, and
``/audit/verify`` finds an edited, deleted or truncated record. No secrets in the trail."""

from __future__ import annotations

from sqlalchemy import text

from tests.gateway.conftest import ADMIN_PASSWORD, GatewayHarness


def _trail(h: GatewayHarness, admin: dict[str, str], **params: str) -> list[dict]:  # type: ignore[type-arg]
    r = h.client.get("/api/v1/access/audit", headers=admin, params={"limit": "1000", **params})
    assert r.status_code == 200, r.text
    return list(r.json()["results"])


def _seed(h: GatewayHarness) -> tuple[dict[str, str], str, str]:
    admin = h.admin()
    _, _, cid, secret = h.org_with_client("Sở Công Thương", ["ipam:read"])
    token = h.client_token(cid, secret)
    h.client.get("/api/v1/ipam/agencies", headers={"Authorization": f"Bearer {token}"})
    h.client.get("/api/v1/ipam/agencies")
    h.client.post("/auth/login", json={"username": "root", "password": "not-the-password"})
    return admin, secret, token


def test_g9_proxied_requests_and_identity_events_are_recorded(harness: GatewayHarness) -> None:
    admin, _, _ = _seed(harness)
    kinds = [r["kind"] for r in _trail(harness, admin)]
    assert {"login_succeeded", "token_issued", "proxy", "login_failed"} <= set(kinds)
    proxied = _trail(harness, admin, kind="proxy")
    assert {r["status"] for r in proxied} == {503, 401}
    assert all(r["method"] == "GET" and r["path"] == "/api/v1/ipam/agencies" and r["request_id"] for r in proxied)
    assert any(r["actor"] and r["actor"].startswith("client:") and r["grant_id"] for r in proxied)


def test_n15_no_secret_reaches_the_audit_trail(harness: GatewayHarness) -> None:
    admin, secret, token = _seed(harness)
    csv = harness.client.get("/api/v1/access/audit", headers=admin, params={"format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "login_failed" in csv.text
    for value in (secret, token, ADMIN_PASSWORD, "not-the-password"):
        assert value not in csv.text


def test_g9_audit_chain_verifies_and_detects_an_edit(harness: GatewayHarness) -> None:
    admin, _, _ = _seed(harness)
    ok = harness.client.get("/api/v1/access/audit/verify", headers=admin).json()
    assert ok["valid"] is True and ok["checked"] >= 5
    with harness.gw.database.transaction() as session:
        session.execute(text("UPDATE audit_records SET status = 200 WHERE seq = 3"))
    bad = harness.client.get("/api/v1/access/audit/verify", headers=admin).json()
    assert bad["valid"] is False and bad["first_invalid_seq"] == 3 and "edited" in bad["problem"]


def test_g9_audit_chain_detects_a_deleted_record(harness: GatewayHarness) -> None:
    admin, _, _ = _seed(harness)
    with harness.gw.database.transaction() as session:
        session.execute(text("DELETE FROM audit_records WHERE seq = 2"))
    bad = harness.client.get("/api/v1/access/audit/verify", headers=admin).json()
    assert bad["valid"] is False and bad["first_invalid_seq"] == 3 and "deleted" in bad["problem"]


def test_g9_audit_chain_detects_a_deleted_tail(harness: GatewayHarness) -> None:
    admin, _, _ = _seed(harness)
    harness.gw.audit.flush()
    with harness.gw.database.transaction() as session:
        last = session.execute(text("SELECT max(seq) FROM audit_records")).scalar_one()
        session.execute(text("DELETE FROM audit_records WHERE seq = :s"), {"s": last})
    bad = harness.client.get("/api/v1/access/audit/verify", headers=admin).json()
    assert bad["valid"] is False and "tail" in bad["problem"]


def test_g9_representative_sees_only_their_organisation(harness: GatewayHarness) -> None:
    admin, _, _ = _seed(harness)
    orgs = harness.client.get("/api/v1/access/organisations", headers=admin).json()["results"]
    target = next(o for o in orgs if o["name"] == "Sở Công Thương")
    r = harness.client.post("/api/v1/access/users", headers=admin, json={
        "username": "daidien", "password": "Rep-Passw0rd-1", "org_id": target["id"], "is_representative": True})
    assert r.status_code == 201
    harness.client.post("/auth/password", json={"username": "daidien", "current_password": "Rep-Passw0rd-1", "new_password": "Rep-Passw0rd-2"})
    login = harness.client.post("/auth/login", json={"username": "daidien", "password": "Rep-Passw0rd-2"})
    rep = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert [o["id"] for o in harness.client.get("/api/v1/access/organisations", headers=rep).json()["results"]] == [target["id"]]
    assert {r["org"] for r in _trail(harness, rep)} == {target["id"]}
    assert harness.client.get("/api/v1/access/audit/verify", headers=rep).status_code == 403
    other = next(o for o in orgs if o["id"] != target["id"])
    assert harness.client.get(f"/api/v1/access/organisations/{other['id']}", headers=rep).status_code == 403
