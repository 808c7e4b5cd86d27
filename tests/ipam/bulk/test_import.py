"""CSV import/export of prefixes (NetBox columns, all-or-nothing)."""

from __future__ import annotations

import csv
import io
from typing import Any

API = "/api/v1/ipam"


def test_import_is_all_or_nothing_with_row_errors(ipam: Any, world: dict[str, Any]) -> None:
    before = ipam.get(f"{API}/prefixes").json()["count"]
    bad = (
        "prefix,vrf,status,tenant,role,description\n"
        "172.16.0.0/16,,container,,,Khối tỉnh\n"
        "172.16.1.0/24,,active,AG-LX,VPN,VPN Long Xuyên\n"
        "172.16.1.7/24,,active,AG-LX,VPN,host bits\n"
        "172.16.2.0/24,,active,NOPE,VPN,unknown tenant\n"
        "172.16.1.128/25,,active,AG-CD,MAIL,overlaps line 3\n"
    )
    r = ipam.post(f"{API}/import", content=bad.encode(), headers={"Content-Type": "text/csv"})
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert [e["row"] for e in errors] == [4, 5]
    assert "did you mean 172.16.1.0/24?" in errors[0]["message"]
    assert ipam.get(f"{API}/prefixes").json()["count"] == before
    # the overlap is found only once the other rows are fine
    r = ipam.post(f"{API}/import", content="\n".join(bad.splitlines()[:3] + bad.splitlines()[5:]).encode())
    assert r.status_code == 422 and r.json()["errors"][0]["row"] == 4 and "overlaps" in r.json()["errors"][0]["message"]
    good = "\n".join(bad.splitlines()[:3]) + "\n2001:db8:200::/48,,active,,,v6 pool\n2001:db8:200:1::/64,,active,AG-CD,Thư điện tử công vụ,Mail\n"
    r = ipam.post(f"{API}/import", content=good.encode())
    assert r.status_code == 201, r.text
    assert r.json()["created"] == 4
    lx = ipam.get(f"{API}/prefixes", params={"q": "172.16.1.0"}).json()["results"][0]
    assert lx["kind"] == "allocation" and lx["agency_id"] == world["district"]["id"] and lx["parent_id"] is not None
    exported = ipam.get(f"{API}/export")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    by_prefix = {r["prefix"]: r for r in rows}
    assert by_prefix["172.16.0.0/16"]["status"] == "container"
    assert by_prefix["172.16.1.0/24"]["tenant"] == "AG-LX" and by_prefix["172.16.1.0/24"]["role"] == "VPN"
    assert by_prefix["2001:db8:200:1::/64"]["role"] == "MAIL"
    # the export imports back into an empty VRF unchanged
    vrf = ipam.post(f"{API}/vrfs", json={"name": "COPY"}).json()
    copy = exported.text.replace("\n", "\n", 1)
    lines = copy.splitlines()
    rebuilt = [lines[0]] + [",".join([r["prefix"], "COPY", *[r[k] for k in ("status", "tenant", "role", "description", "kind", "purpose")]]) for r in rows]
    r = ipam.post(f"{API}/import", content="\n".join(rebuilt).encode())
    assert r.status_code == 201, r.text
    assert ipam.get(f"{API}/prefixes", params={"vrf_id": vrf["id"]}).json()["count"] == len(rows)


def test_import_rehomes_existing_addresses_to_new_prefixes(ipam: Any, world: dict[str, Any]) -> None:
    inside = ipam.post(f"{API}/ip-addresses", json={"address": "10.10.200.5"}).json()
    outside = ipam.post(f"{API}/ip-addresses", json={"address": "10.10.201.5"}).json()
    assert inside["prefix_id"] == world["pool"]["id"]
    r = ipam.post(f"{API}/import", content=b"prefix,status,tenant,role,description\n10.10.200.0/24,active,AG-LX,VPN,Mang LX\n")
    assert r.status_code == 201, r.text
    new = ipam.get(f"{API}/prefixes", params={"q": "10.10.200.0/24"}).json()["results"][0]
    assert ipam.get(f"{API}/ip-addresses/{inside['id']}").json()["prefix_id"] == new["id"]
    assert ipam.get(f"{API}/ip-addresses/{outside['id']}").json()["prefix_id"] == world["pool"]["id"]
    assert new["utilization"] == 100 / 254
