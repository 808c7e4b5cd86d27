"""N13: sites, devices, interfaces and uplinks over HTTP: CRUD, agency scoping, hostile input, compliance."""

from __future__ import annotations

from typing import Any

from services.devices.inventory import service
from services.devices.telemetry.poller import InterfaceRow
from shared.db import Database

API = "/api/v1/devices"
A = {"scopes": "devices:read devices:write", "org": "org-a"}
B = {"scopes": "devices:read devices:write", "org": "org-b"}

SITE = {"agency_id": 7, "name": "Phòng máy Sở Tư pháp", "address": "Long Xuyên", "room_type": "phong_may",
        "ups_present": True, "contact_name": "Nguyễn Văn A", "contact_phone": "0296 3850 000",
        "contact_email": "a@stp.angiang.gov.vn"}


def _h(keys: Any, who: dict[str, str]) -> dict[str, str]:
    return keys.headers(who["scopes"], org=who["org"])  # type: ignore[no-any-return]


def _device(client: Any, keys: Any, who: dict[str, str] = A, **extra: Any) -> dict[str, Any]:
    site = client.post(f"{API}/sites", json=SITE, headers=_h(keys, who))
    assert site.status_code == 201, site.text
    body = {"site_id": site.json()["id"], "name": "Router đầu cuối", "role": "terminal_router", "vendor": "Cisco",
            "model": "ISR1111", "serial": "FGL1", "firmware": "17.9", "lan_ports": 4, "wan_ports": 1,
            "snmp_v2c": True, "snmp_v3": True, "syslog": True, "ipv6": True,
            "management_protocols": ["ssh", "snmpv3_authpriv"], "management_address": "10.10.0.1", **extra}
    made = client.post(f"{API}/devices", json=body, headers=_h(keys, who))
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


def test_n13_sites_and_devices_crud(devices: Any, keys: Any) -> None:
    client = devices()
    dev = _device(client, keys)
    assert dev["agency_id"] == 7 and dev["org_id"] == "org-a" and dev["status"] == "planned"
    got = client.get(f"{API}/devices/{dev['id']}", headers=_h(keys, A)).json()
    assert got["management_address"] == "10.10.0.1" and got["management_protocols"] == ["ssh", "snmpv3_authpriv"]
    changed = client.patch(f"{API}/devices/{dev['id']}", json={"status": "active", "firmware": "17.12", "lan_ports": None},
                           headers=_h(keys, A))
    assert changed.status_code == 200 and changed.json()["firmware"] == "17.12" and changed.json()["lan_ports"] is None
    listed = client.get(f"{API}/devices", params={"role": "terminal_router", "status": "active", "agency_id": 7},
                        headers=_h(keys, A)).json()
    assert listed["count"] == 1
    assert client.get(f"{API}/devices", params={"role": "switch"}, headers=_h(keys, A)).json()["count"] == 0
    assert client.delete(f"{API}/sites/{dev['site_id']}", headers=_h(keys, A)).status_code == 409
    assert client.delete(f"{API}/devices/{dev['id']}", headers=_h(keys, A)).status_code == 204
    assert client.delete(f"{API}/sites/{dev['site_id']}", headers=_h(keys, A)).status_code == 204


def test_n13_agency_scoping_is_404(devices: Any, keys: Any) -> None:
    client = devices()
    dev = _device(client, keys)
    site_id, dev_id = dev["site_id"], dev["id"]
    for path in (f"sites/{site_id}", f"devices/{dev_id}", f"devices/{dev_id}/interfaces", f"devices/{dev_id}/compliance",
                 f"devices/{dev_id}/readings", f"devices/{dev_id}/notifications"):
        assert client.get(f"{API}/{path}", headers=_h(keys, B)).status_code == 404, path
    assert client.patch(f"{API}/devices/{dev_id}", json={"name": "x"}, headers=_h(keys, B)).status_code == 404
    assert client.patch(f"{API}/sites/{site_id}", json={"name": "x"}, headers=_h(keys, B)).status_code == 404
    assert client.delete(f"{API}/devices/{dev_id}", headers=_h(keys, B)).status_code == 404
    assert client.get(f"{API}/devices", headers=_h(keys, B)).json()["count"] == 0
    assert client.get(f"{API}/sites", headers=_h(keys, B)).json()["count"] == 0
    # B cannot place a device at A's site, nor create a site for A
    body = {"site_id": site_id, "name": "x", "role": "switch"}
    assert client.post(f"{API}/devices", json=body, headers=_h(keys, B)).status_code == 422
    assert client.post(f"{API}/sites", json={**SITE, "org_id": "org-a"}, headers=_h(keys, B)).status_code == 403
    admin = keys.headers("devices:admin")
    assert client.get(f"{API}/devices", headers=admin).json()["count"] == 1
    assert client.post(f"{API}/sites", json={**SITE, "org_id": "org-b"}, headers=admin).json()["org_id"] == "org-b"
    assert client.get(f"{API}/devices", headers=keys.headers("devices:read")).json()["count"] == 0  # no org: nothing


def test_n13_hostile_input_is_422_never_5xx(devices: Any, keys: Any) -> None:
    client = devices()
    dev = _device(client, keys)
    h = _h(keys, A)
    for path in (f"devices/{2**63}", f"sites/{2**63}", "devices/0", f"devices/{dev['id']}/interfaces/{2**64}"):
        assert client.get(f"{API}/{path}", headers=h).status_code in (404, 405, 422), path
    assert client.get(f"{API}/devices/{2**63}", headers=h).status_code == 422
    assert client.get(f"{API}/devices/{2**63 - 1}", headers=h).status_code == 404
    assert client.get(f"{API}/devices", params={"site_id": 2**63}, headers=h).status_code == 422
    bad = [
        {**SITE, "name": "a\x00b"}, {**SITE, "agency_id": 2**63}, {**SITE, "room_type": "kho"},
        {**SITE, "contact_email": "not-an-email"}, {**SITE, "agency_id": "7"}, {**SITE, "extra": 1},
    ]
    for body in bad:
        assert client.post(f"{API}/sites", json=body, headers=h).status_code == 422, body
    for patch in ({"name": None}, {"role": None}, {"status": None}, {"management_address": "10.0.0.999"},
                  {"lan_ports": -1}, {"lan_ports": 2**63}, {"name": "x\u009b"}, {"management_protocols": ["ftp"]}):
        r = client.patch(f"{API}/devices/{dev['id']}", json=patch, headers=h)
        assert r.status_code == 422, (patch, r.text)
    assert client.patch(f"{API}/sites/{dev['site_id']}", json={"room_type": None}, headers=h).status_code == 422
    assert client.patch(f"{API}/devices/{dev['id']}", json={"management_address": None}, headers=h).status_code == 200


def test_n13_interfaces_discovery_upsert_and_manual_edit(devices: Any, keys: Any, db_url: str) -> None:
    client = devices()
    dev = _device(client, keys)
    db = Database(db_url)
    with db.session() as session:
        rows = [InterfaceRow(if_index=1, name="Gi0/0/0", alias="WAN VNPT", high_speed=1000),
                InterfaceRow(if_index=2, descr="GigabitEthernet0/0/1", if_speed=100_000_000)]
        service.upsert_interfaces(session=session, device_id=dev["id"], rows=rows)
        session.commit()
    h = _h(keys, A)
    listed = client.get(f"{API}/devices/{dev['id']}/interfaces", headers=h).json()["results"]
    assert [(i["if_index"], i["if_name"], i["if_high_speed"]) for i in listed] == [(1, "Gi0/0/0", 1000), (2, "GigabitEthernet0/0/1", 100)]
    first = listed[0]["id"]
    edited = client.patch(f"{API}/devices/{dev['id']}/interfaces/{first}", json={"if_alias": "Kênh chính"}, headers=h)
    assert edited.status_code == 200 and edited.json()["if_alias"] == "Kênh chính"
    with db.session() as session:  # rediscovery keeps the name fresh; an agent alias replaces the alias
        service.upsert_interfaces(session=session, device_id=dev["id"], rows=[InterfaceRow(if_index=1, name="Gi0/0/0", high_speed=10000)])
        session.commit()
    again = client.get(f"{API}/devices/{dev['id']}/interfaces", headers=h).json()["results"][0]
    assert again["if_alias"] == "Kênh chính" and again["if_high_speed"] == 10000
    assert client.post(f"{API}/devices/{dev['id']}/interfaces", json={"if_index": 1}, headers=h).status_code == 409
    # N6 uplinks: contracted capacity wins over ifHighSpeed
    up = client.post(f"{API}/uplinks", json={"interface_id": first, "provider": "VNPT", "route_id": "QL91"}, headers=h)
    assert up.status_code == 201 and up.json()["capacity_mbps"] == 10000 and up.json()["device_id"] == dev["id"]
    up2 = client.patch(f"{API}/uplinks/{up.json()['id']}", json={"contracted_mbps": 500}, headers=h).json()
    assert up2["capacity_mbps"] == 500
    assert client.get(f"{API}/uplinks", headers=_h(keys, B)).json()["count"] == 0
    assert client.get(f"{API}/uplinks/{up.json()['id']}", headers=_h(keys, B)).status_code == 404
    assert client.post(f"{API}/uplinks", json={"interface_id": first, "provider": "x"}, headers=_h(keys, B)).status_code == 422
    assert client.delete(f"{API}/devices/{dev['id']}/interfaces/{first}", headers=h).status_code == 409
    db.dispose()


def test_n13_compliance_endpoint_lists_every_rule(devices: Any, keys: Any) -> None:
    client = devices()
    dev = _device(client, keys, management_protocols=["ssh", "telnet"])
    body = client.get(f"{API}/devices/{dev['id']}/compliance", headers=_h(keys, A)).json()
    outcomes = {c["code"]: c["outcome"] for c in body["checks"]}
    assert body["ruleset"] == "qd58_2024" and body["outcome"] == "fail"
    assert outcomes["ports"] == "pass" and outcomes["secure_management"] == "fail" and outcomes["temperature"] == "unknown"
    assert all(c["article"] and c["document"] for c in body["checks"])
    strict = devices(terminal_ruleset="tt06_2026")
    body = strict.get(f"{API}/devices/{dev['id']}/compliance", headers=_h(keys, A)).json()
    ports = next(c for c in body["checks"] if c["code"] == "ports")
    assert ports["outcome"] == "pass" and ports["document"] == "Thông tư 06/2026/TT-BKHCN"  # level II: 4 + 1


def test_n13_hostile_bodies_of_notices_readings_and_filters(devices: Any, keys: Any) -> None:
    client = devices()
    dev = _device(client, keys)
    h, agent = _h(keys, A), keys.headers("devices:report", org="org-a")
    base = f"{API}/devices/{dev['id']}"
    for body in ({"kind": "power", "text": "a\x00b", "at": "2026-01-01T00:00:00+07:00"},
                 {"kind": "flood", "text": "x", "at": "2026-01-01T00:00:00+07:00"},
                 {"kind": "power", "text": "", "at": "2026-01-01T00:00:00+07:00"},
                 {"kind": "power", "text": "x" * 4001, "at": "2026-01-01T00:00:00+07:00"},
                 {"kind": "power", "text": "x", "at": "hôm qua"}):
        assert client.post(f"{base}/notifications", json=body, headers=h).status_code == 422, body
    for body in ({"at": "2026-01-01T00:00:00+07:00", "temperature_c": 1e308},
                 {"at": "2026-01-01T00:00:00+07:00", "humidity_pct": 101},
                 {"at": "2026-01-01T00:00:00+07:00", "ups_on_mains": "yes"}):
        assert client.post(f"{base}/readings", json=body, headers=agent).status_code == 422, body
    nan = client.post(f"{base}/readings", content=b'{"at": "2026-01-01T00:00:00+07:00", "temperature_c": NaN}',
                      headers={**agent, "content-type": "application/json"})
    assert nan.status_code == 422
    assert client.get(f"{API}/devices", params={"role": "toaster"}, headers=h).status_code == 422
    assert client.get(f"{API}/devices", params={"status": "x\x00"}, headers=h).status_code == 422
    assert client.put(f"{API}/devices/{2**63}/credentials", json={"version": "v2c", "community": "abcdefgh"},
                      headers=keys.headers("devices:admin")).status_code == 422
    assert client.post(f"{base}/interfaces", json={"if_index": 2**31}, headers=h).status_code == 422
    assert client.post(f"{API}/uplinks", json={"interface_id": 2**63 - 1, "provider": "VNPT"}, headers=h).status_code == 422
    assert client.get(f"{API}/reports/inventory", params={"agency_id": 2**63}, headers=h).status_code == 422


def test_n13_site_notice_reaches_every_device_in_service_there(devices: Any, keys: Any) -> None:
    client = devices()
    first = _device(client, keys)
    h = _h(keys, A)
    second = client.post(f"{API}/devices", json={"site_id": first["site_id"], "name": "Switch", "role": "switch"}, headers=h).json()
    gone = client.post(f"{API}/devices", json={"site_id": first["site_id"], "name": "Cũ", "role": "switch",
                                                "status": "decommissioned"}, headers=h).json()
    body = {"kind": "relocation", "text": "Chuyển phòng máy sang tầng 3", "at": "2026-12-02T09:00:00+07:00"}
    made = client.post(f"{API}/sites/{first['site_id']}/notifications", json=body, headers=h)
    assert made.status_code == 201 and [n["device_id"] for n in made.json()] == [first["id"], second["id"]]
    assert client.get(f"{API}/devices/{gone['id']}/notifications", headers=h).json()["count"] == 0
    assert client.get(f"{API}/devices/{second['id']}/notifications", headers=h).json()["results"][0]["kind"] == "relocation"
    assert client.post(f"{API}/sites/{first['site_id']}/notifications", json=body, headers=_h(keys, B)).status_code == 404
