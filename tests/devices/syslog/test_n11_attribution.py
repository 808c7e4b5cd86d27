"""N11: a sender's address maps to its device (management address) and agency; agencies see only their own."""

from __future__ import annotations

import time
from typing import Any

from tests.support import free_test_port

API = "/api/v1/devices"


def _devices(client: Any, keys: Any) -> dict[str, int]:
    """Two agencies' devices, one decommissioned, recorded through the inventory API by each agency."""
    ids: dict[str, int] = {}
    specs = [
        ("a", "org-a", 1, "10.1.0.1", "active"),
        ("b", "org-b", 2, "10.2.0.1", "active"),
        ("gone", "org-b", 2, "10.2.0.9", "decommissioned"),
    ]
    for key, org, agency, address, status in specs:
        as_agency = keys.headers("devices:read devices:write", org=org)
        site = client.post(
            f"{API}/sites",
            headers=as_agency,
            json={"agency_id": agency, "name": f"Phòng máy {key}", "room_type": "phong_may"},
        )
        assert site.status_code == 201, site.text
        device = client.post(
            f"{API}/devices",
            headers=as_agency,
            json={
                "site_id": site.json()["id"],
                "name": f"sw-{key}",
                "role": "switch",
                "management_address": address,
                "status": status,
            },
        )
        assert device.status_code == 201, device.text
        ids[key] = device.json()["id"]
    return ids


def test_n11_sender_maps_to_device_and_agency_and_scoping_holds(
    db_url: str, make_client: Any, keys: Any
) -> None:
    client = make_client(
        "devices",
        db_url,
        syslog_enabled=True,
        syslog_port=free_test_port(),
        syslog_group_wait=0.0,
        syslog_sender_refresh_seconds=0.01,
    )
    client.headers.update(keys.headers("devices:read devices:admin"))
    ids = _devices(client, keys)
    intake = client.app.state.syslog.intake
    time.sleep(0.02)
    now = time.time()
    lines = [
        (b"<38>Jan  2 09:00:00 sw-a sshd[1]: Failed password for root", "10.1.0.1"),
        (b"<14>Jan  2 09:00:00 rt-b app: ok", "::ffff:10.2.0.1"),  # IPv4-mapped IPv6 is the same sender
        (b"<14>Jan  2 09:00:00 old app: still talking", "10.2.0.9"),
        (b"<14>Jan  2 09:00:00 who app: unknown", "10.9.9.9"),
    ]
    intake.write([(d, s, "udp", now) for d, s in lines], now)

    rows = {r["sender"]: r for r in client.get(f"{API}/syslog").json()["results"]}
    assert (rows["10.1.0.1"]["device_id"], rows["10.1.0.1"]["agency"]) == (ids["a"], "org-a")
    assert (rows["10.2.0.1"]["device_id"], rows["10.2.0.1"]["agency"]) == (ids["b"], "org-b")
    assert rows["10.2.0.9"]["device_id"] is None and rows["10.9.9.9"]["device_id"] is None
    assert client.get(f"{API}/syslog", params={"device_id": ids["a"]}).json()["count"] == 1
    assert client.get(f"{API}/syslog", params={"agency": "org-b"}).json()["count"] == 1
    unknown = client.get(f"{API}/syslog/senders", params={"unknown": True}).json()["results"]
    assert {s["sender"] for s in unknown} == {"10.2.0.9", "10.9.9.9"}

    as_a = keys.headers("devices:read", org="org-a")
    mine = client.get(f"{API}/syslog", headers=as_a).json()
    assert [r["sender"] for r in mine["results"]] == ["10.1.0.1"]
    assert client.get(f"{API}/syslog", headers=as_a, params={"agency": "org-b"}).json()["count"] == 0
    events = client.get(f"{API}/security-events", headers=as_a).json()["results"]
    assert [(e["device_id"], e["agency"], e["category"]) for e in events] == [
        (ids["a"], "org-a", "failed_login")
    ]
    assert (
        client.get(f"{API}/security-events", headers=keys.headers("devices:read", org="org-b")).json()[
            "count"
        ]
        == 0
    )
