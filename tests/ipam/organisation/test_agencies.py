"""Agencies (N2), the N1 catalogue, subscriptions and scopes."""

from __future__ import annotations

from typing import Any

API = "/api/v1/ipam"


def test_n2_agency_hierarchy_and_contacts(ipam: Any, keys: Any) -> None:
    province = ipam.post(f"{API}/agencies", json={"code": "AG", "name": "Tỉnh An Giang", "level": "province", "access_level": "I"})
    assert province.status_code == 201, province.text
    pid = province.json()["id"]
    district = ipam.post(
        f"{API}/agencies",
        json={
            "code": "AG-TC", "name": "UBND thị xã Tân Châu", "level": "district", "parent_id": pid, "address": "Tân Châu, An Giang",
            "contacts": [
                {"role": "operation", "name": "Nguyễn Văn A", "title": "Chuyên viên", "phone": "0296 3800 000", "email": "a@angiang.gov.vn"},
                {"role": "incident", "name": "Trần Thị B", "phone": "0296 3800 001"},
            ],
        },
    )
    assert district.status_code == 201, district.text
    body = district.json()
    assert body["contacts"][1]["role"] == "incident"
    assert body["name"] == "UBND thị xã Tân Châu"
    # a commune under a province-level parent is fine; a district under a commune is not
    commune = ipam.post(f"{API}/agencies", json={"code": "AG-TC-1", "name": "UBND phường Long Thạnh", "level": "commune", "parent_id": body["id"]}).json()
    bad = ipam.post(f"{API}/agencies", json={"code": "X", "name": "X", "level": "district", "parent_id": commune["id"]})
    assert bad.status_code == 422
    assert "district-level agency must sit under" in bad.json()["detail"]
    dup = ipam.post(f"{API}/agencies", json={"code": "AG", "name": "again", "level": "province"})
    assert dup.status_code == 409

    listed = ipam.get(f"{API}/agencies", params={"level": "district", "limit": 1}, headers=keys.headers("ipam:read"))
    assert listed.status_code == 200
    page = listed.json()
    assert page["count"] == 1 and page["results"][0]["code"] == "AG-TC" and page["next"] is None
    children = ipam.get(f"{API}/agencies", params={"parent_id": pid}).json()
    assert [a["code"] for a in children["results"]] == ["AG-TC"]


def test_scopes_read_write_admin(ipam: Any, keys: Any) -> None:
    no_token = ipam.get(f"{API}/agencies", headers={"Authorization": ""})
    assert no_token.status_code == 401
    read_only = keys.headers("ipam:read")
    assert ipam.get(f"{API}/agencies", headers=read_only).status_code == 200
    denied = ipam.post(f"{API}/agencies", json={"code": "A", "name": "A", "level": "province"}, headers=read_only)
    assert denied.status_code == 403
    admin = keys.headers("ipam:admin", sub="user:admin")
    assert ipam.post(f"{API}/agencies", json={"code": "A", "name": "A", "level": "province"}, headers=admin).status_code == 201
    changes = ipam.get(f"{API}/changes", params={"object_type": "agency"}).json()
    assert changes["results"][0]["actor"] == "user:admin"
    assert changes["results"][0]["after"]["code"] == "A"


def test_n1_catalogue_and_subscriptions(ipam: Any) -> None:
    vpn = ipam.post(f"{API}/network-services", json={"code": "VPN", "name": "Mạng riêng ảo"}).json()
    app = ipam.post(f"{API}/applications", json={"code": "LGSP", "name": "Nền tảng tích hợp, chia sẻ dữ liệu (LGSP)"}).json()
    assert [s["code"] for s in ipam.get(f"{API}/network-services").json()["results"]] == ["VPN"]
    assert [s["code"] for s in ipam.get(f"{API}/applications").json()["results"]] == ["LGSP"]
    assert ipam.get(f"{API}/applications/{vpn['id']}").status_code == 404
    agency = ipam.post(f"{API}/agencies", json={"code": "AG", "name": "Tỉnh An Giang", "level": "province"}).json()
    sub = ipam.post(f"{API}/subscriptions", json={"agency_id": agency["id"], "service_id": app["id"], "channels": 2, "bandwidth_mbps": 100})
    assert sub.status_code == 201, sub.text
    again = ipam.post(f"{API}/subscriptions", json={"agency_id": agency["id"], "service_id": app["id"]})
    assert again.status_code == 409
    assert ipam.get(f"{API}/subscriptions", params={"agency_id": agency["id"]}).json()["count"] == 1
    # a used catalogue entry cannot be deleted
    assert ipam.delete(f"{API}/applications/{app['id']}").status_code == 409


def test_n2_demo_data_loads_once(db_url: str, make_client: Any, keys: Any) -> None:
    client = make_client("ipam", db_url, load_demo_data=True)
    headers = keys.headers("ipam:read ipam:admin")  # the department reads every agency's prefixes
    districts = client.get(f"{API}/agencies", params={"level": "district"}, headers=headers).json()
    names = {a["name"] for a in districts["results"]}
    assert districts["count"] == 11 and "UBND thành phố Châu Đốc" in names and "UBND huyện Thoại Sơn" in names
    assert client.get(f"{API}/agencies", params={"access_level": "I"}, headers=headers).json()["count"] == 4
    allocs = client.get(f"{API}/prefixes", params={"kind": "allocation"}, headers=headers).json()
    assert allocs["count"] == 11 * 3 + 4
    # each district /24: a populated DHCP range and a VRRP gateway on two routers (issue 13)
    assert client.get(f"{API}/ip-ranges", headers=headers).json()["count"] == 11
    assert client.get(f"{API}/ip-addresses", params={"q": ".254"}, headers=headers).json()["count"] == 22
    client2 = make_client("ipam", db_url, load_demo_data=True)
    assert client2.get(f"{API}/agencies", params={"level": "district"}, headers=headers).json()["count"] == 11
