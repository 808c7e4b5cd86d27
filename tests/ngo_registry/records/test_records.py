"""An association's record: round trip, tiers, validation, classified markings, versions, status changes (G1, G2, G4, G7, G17)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, text

from tests.ngo_registry.helpers import ADMIN, BASE, create, red_cross, simple


def test_g1_record_round_trip_with_every_part(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    rec = create(client, keys, red_cross())
    got = client.get(f"{BASE}/associations/{rec['id']}", headers=keys.headers(ADMIN)).json()
    assert got["name_vi"] == "Hội Chữ thập đỏ Việt Nam"
    assert got["field"] == {"code": "nhan_dao", "label": "Nhân đạo, từ thiện"}
    assert got["head_office"]["origin"]["label"] == "Nhà nước giao, cấp"
    assert got["chair_name"] == "Bùi Thị Hòa"
    assert got["funding"][0]["amount_vnd"] == 25_000_000_000
    assert got["state_staff"] == [{"year": 2024, "staff": 120}]
    assert got["members"][0]["member_type"]["label"] == "Hội viên chính thức"
    assert got["affiliated_units"][0]["name"] == "Văn phòng đại diện phía Nam"
    assert got["dossier"]["number"] == "HS-0001"
    assert got["next_congress"]["level"] == 0
    assert got["provenance"]["name_vi"]["actor"] == "staff:lan"


def test_g2_g7_fields_above_the_callers_tier_are_left_out(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    rec = create(client, keys, red_cross())
    url = f"{BASE}/associations/{rec['id']}"
    basic = client.get(url, headers=keys.headers("ngo:read:basic")).json()
    assert basic["tier"] == "basic"
    assert "leaders" in basic and "funding" not in basic and "dossier" not in basic
    assert "area_m2" not in basic["head_office"]
    advanced = client.get(url, headers=keys.headers("ngo:read:advanced")).json()
    assert advanced["funding"][0]["amount_vnd"] == 25_000_000_000 and "provenance" in advanced
    assert client.get(url).status_code == 401
    assert client.get(url, headers=keys.headers("ipam:read")).status_code == 403
    # an association reads its own record in full
    own = client.get(url, headers=keys.headers("ngo:submit", org=str(rec["id"]))).json()
    assert own["tier"] == "full"


def test_g17_validation_names_the_field(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    h = keys.headers(ADMIN)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"field": "khong_co"}, "field"),
        ({"founding_decision_date": "2023-02-30"}, "founding_decision_date"),
        ({"funding": [{"year": 2024, "source": "hoi_phi", "amount_vnd": -5}]}, "funding.0.amount_vnd"),
        ({"congresses": [{"kind": "nhiem_ky", "held_on": "2022-05-01", "term_years": 6}]}, "congresses[0].term_years"),
        ({"leaders": [{"role": "giam_doc", "full_name": "A"}]}, "leaders[0].role"),
        ({"founding_decision_date": "2999-01-01"}, "founding_decision_date"),
    ]
    for override, field in cases:
        response = client.post(f"{BASE}/associations", json=simple("Hội Thử nghiệm", **override), headers=h)
        assert response.status_code == 422, (override, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    assert client.get(f"{BASE}/public/associations").json()["count"] == 0  # no partial write


def test_g1_classified_markings_are_refused_and_audited(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    h = keys.headers(ADMIN, sub="staff:binh")
    for body in (simple("Hội A", classification="Tối mật"), simple("Hội B", purpose="Tài liệu TUYỆT MẬT về nhân sự"), simple("Hội C", classification="Mật")):
        response = client.post(f"{BASE}/associations", json=body, headers=h)
        assert response.status_code == 422
        assert response.json()["type"].endswith("classified-information")
    # honey (mật ong) in ordinary text is not a marking
    assert client.post(f"{BASE}/associations", json=simple("Hội Nuôi ong lấy mật Việt Nam"), headers=h).status_code == 201
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT marking, sub FROM classified_refusal ORDER BY id")).all()
        stored = conn.execute(text("SELECT count(*) FROM association")).scalar()
    engine.dispose()
    assert [r[0] for r in rows] == ["Tối mật", "Tuyệt mật", "Mật"] and rows[0][1] == "staff:binh"
    assert stored == 1


def test_g4_every_change_is_versioned_with_provenance(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    rec = create(client, keys, red_cross())
    url = f"{BASE}/associations/{rec['id']}"
    patched = client.patch(url, json={"office_phone": "024 0000 0000", "state_staff": [{"year": 2025, "staff": 118}]}, headers=keys.headers(ADMIN, sub="staff:minh"))
    assert patched.status_code == 200, patched.text
    assert patched.json()["changed_fields"] == ["head_office", "state_staff"]
    history = client.get(f"{url}/history", headers=keys.headers("ngo:read:advanced")).json()
    assert [v["version"] for v in history["items"]] == [2, 1]
    assert history["items"][1]["snapshot"]["head_office"]["phone"] == "024 3822 4030"
    assert history["items"][0]["actor"] == "staff:minh"
    got = client.get(url, headers=keys.headers(ADMIN)).json()
    assert got["provenance"]["state_staff"]["actor"] == "staff:minh"
    assert got["provenance"]["name_vi"]["actor"] == "staff:lan"
    assert client.get(f"{url}/history", headers=keys.headers("ngo:read:basic")).status_code == 403


def test_g1_status_changes_link_predecessors_and_successors_both_ways(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    a = create(client, keys, simple("Hội Tin học Hà Nội"))
    b = create(client, keys, simple("Hội Tin học Việt Nam"))
    response = client.post(
        f"{BASE}/associations/{a['id']}/status-changes",
        json={"kind": "sap_nhap", "decision_number": "12/QĐ-BNV", "decision_date": "2024-03-01", "successor_ids": [b["id"]]},
        headers=keys.headers(ADMIN),
    )
    assert response.status_code == 201, response.text
    merged = response.json()["association"]
    assert merged["status"] == "merged" and merged["successors"][0]["id"] == b["id"]
    survivor = client.get(f"{BASE}/associations/{b['id']}", headers=keys.headers(ADMIN)).json()
    assert survivor["predecessors"][0]["id"] == a["id"] and survivor["status"] == "active"
    bad = client.post(f"{BASE}/associations/{a['id']}/status-changes", json={"kind": "doi_ten", "decision_number": "1", "decision_date": "2024-01-01"}, headers=keys.headers(ADMIN))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "new_name_vi"
