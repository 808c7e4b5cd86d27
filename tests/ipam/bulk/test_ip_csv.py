"""NetBox CSV import and export of IP addresses and IP ranges: all or nothing, masks kept (N7)."""

from __future__ import annotations

from typing import Any

API = "/api/v1/ipam"
CSV = {"Content-Type": "text/csv"}


def test_n7_ip_address_csv_import_all_or_nothing_and_export_round_trip(ipam: Any, world: dict[str, Any]) -> None:
    ipam.post(f"{API}/vrfs", json={"name": "VPN-CSV"})
    good = (
        "address,vrf,status,role,dns_name,description,assigned_object_type,assigned_object_id\n"
        "10.10.80.1/24,,active,vrrp,gw.angiang.gov.vn,Cổng,device,r1\n"
        "10.10.80.1/24,,active,vrrp,gw.angiang.gov.vn,Cổng,device,r2\n"
        "10.10.80.5,VPN-CSV,reserved,,,,,\n"
    )
    r = ipam.post(f"{API}/import/ip-addresses", content=good.encode(), headers=CSV)
    assert r.status_code == 201, r.text
    assert r.json() == {"created": 3, "rows": 3}
    bad = (
        "address,status,role\n"
        "10.10.81.1/24,active,\n"
        "10.10.80.1,active,\n"  # an unshared copy of a VRRP address
        "10.10.81.300,active,\n"
        "10.10.81.2,sleeping,\n"
        "10.10.81.3,active,gateway\n"
    )
    refused = ipam.post(f"{API}/import/ip-addresses", content=bad.encode(), headers=CSV)
    assert refused.status_code == 422
    assert [e["row"] for e in refused.json()["errors"]] == [3, 4, 5, 6]
    assert ipam.get(f"{API}/ip-addresses", params={"q": "10.10.81.1"}).json()["count"] == 0  # nothing kept
    assert ipam.post(f"{API}/import/ip-addresses", content=b"addr\n1.2.3.4\n", headers=CSV).status_code == 422
    exported = ipam.get(f"{API}/export/ip-addresses")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.splitlines()
    assert lines[0] == "address,vrf,status,role,dns_name,description,assigned_object_type,assigned_object_id"
    assert "10.10.80.1/24,,active,vrrp,gw.angiang.gov.vn,Cổng,device,r1" in lines  # the mask as written
    assert "10.10.80.5/32,VPN-CSV,reserved,,,,," in lines


def test_n7_ip_range_csv_import_all_or_nothing_and_export(ipam: Any, world: dict[str, Any]) -> None:
    good = "start_address,end_address,status,description,mark_populated,mark_utilized\n10.10.90.100/24,10.10.90.199/24,active,DHCP,true,false\n"
    assert ipam.post(f"{API}/import/ip-ranges", content=good.encode(), headers=CSV).status_code == 201
    bad = (
        "start_address,end_address,mark_populated\n"
        "10.10.91.1,10.10.91.9,false\n"
        "10.10.90.150,10.10.90.160,false\n"  # overlaps the range above
        "10.10.92.1,10.10.92.9,maybe\n"
    )
    refused = ipam.post(f"{API}/import/ip-ranges", content=bad.encode(), headers=CSV)
    assert refused.status_code == 422 and [e["row"] for e in refused.json()["errors"]] == [3, 4]
    assert ipam.get(f"{API}/ip-ranges").json()["count"] == 1
    lines = ipam.get(f"{API}/export/ip-ranges").text.splitlines()
    assert lines == [
        "start_address,end_address,vrf,status,description,mark_populated,mark_utilized",
        "10.10.90.100/24,10.10.90.199/24,,active,DHCP,true,false",
    ]


def test_n7_an_unreadable_csv_is_a_422_for_every_import(ipam: Any, world: dict[str, Any]) -> None:
    huge = '"' + "x" * 200_000 + '"'
    for path, header in (("import", "prefix"), ("import/ip-addresses", "address"), ("import/ip-ranges", "start_address,end_address")):
        r = ipam.post(f"{API}/{path}", content=f"{header}\n{huge}\n".encode(), headers=CSV)
        assert r.status_code == 422 and "cannot be read" in r.json()["detail"], (path, r.text[:200])
