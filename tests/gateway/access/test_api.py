"""The access API's shape: lists page as {count, next, previous, results}; a grant's change
reaches the proxy's grant snapshot and the trail only once it has committed."""

from __future__ import annotations

from sqlalchemy import text

from tests.gateway.conftest import GatewayHarness


def test_every_access_list_pages_with_next_and_previous(harness: GatewayHarness) -> None:
    admin = harness.admin()
    for name in ("Sở Tư pháp", "Sở Xây dựng", "Sở Y tế"):
        harness.org_with_client(name, ["ipam:read"])
    for path in ("organisations", "users", "clients", "registrations", "grants", "audit"):
        body = harness.client.get(f"/api/v1/access/{path}", headers=admin).json()
        assert set(body) == {"count", "next", "previous", "results"}, path
    first = harness.client.get("/api/v1/access/organisations", headers=admin, params={"limit": 2}).json()
    assert first["count"] == 4 and len(first["results"]) == 2 and first["previous"] is None
    second = harness.client.get(first["next"], headers=admin).json()
    assert second["next"] is None and [o["name"] for o in second["results"]][0] == "Sở Y tế"
    assert "offset=0" in second["previous"] and "limit=2" in second["previous"]


def test_a_grant_change_reaches_the_snapshot_only_after_it_commits(harness: GatewayHarness) -> None:
    admin = harness.admin()
    _, grant_id, _, _ = harness.org_with_client("Sở Nội vụ", ["ipam:read"])
    seen: list[str] = []
    invalidate = harness.gw.grants.invalidate

    def watching() -> None:
        # read through a connection of its own: only a committed status is visible here
        with harness.gw.database.engine.connect() as conn:
            seen.append(conn.execute(text("SELECT status FROM grants WHERE id = :g"), {"g": grant_id}).scalar_one())
        invalidate()

    harness.gw.grants.invalidate = watching  # type: ignore[method-assign]
    assert harness.client.post(f"/api/v1/access/grants/{grant_id}/suspend", headers=admin).status_code == 200
    assert seen == ["suspended"]
    # a refused change (a suspended grant cannot be suspended again) rolls back: nothing follows it
    assert harness.client.post(f"/api/v1/access/grants/{grant_id}/suspend", headers=admin).status_code == 409
    assert seen == ["suspended"]
    harness.gw.audit.flush()
    trail = harness.client.get("/api/v1/access/audit", headers=admin, params={"kind": "grant_suspended"}).json()
    assert [r["grant_id"] for r in trail["results"]] == [grant_id]


def test_a_state_filter_naming_no_state_is_an_empty_page(harness: GatewayHarness) -> None:
    admin = harness.admin()
    harness.org_with_client("Sở Tài chính", ["ipam:read"])
    for path, param in (("grants", "status"), ("registrations", "state")):
        for value in ("null", "bogus", "ACTIVE"):
            r = harness.client.get(f"/api/v1/access/{path}", headers=admin, params={param: value})
            assert r.status_code == 200 and r.json()["count"] == 0 and r.json()["results"] == [], (path, value)
    active = harness.client.get("/api/v1/access/grants", headers=admin, params={"status": "active"}).json()
    assert active["count"] >= 2  # the operator's grant and Sở Tài chính's
