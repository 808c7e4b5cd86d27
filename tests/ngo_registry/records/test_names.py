"""The name rule (G17; Decree 45/2010 Art. 4, Decree 126/2024): a live association's name is its own.

Duplicates (ignoring case, diacritics, punctuation and spacing) are a 409 naming the holder, on
create, PATCH, rename by status change and at the review of a submission; close names are
accepted with warnings; the 126/2024 rule set also refuses encompassing names; the database's
partial unique index holds the rule under concurrency and whatever gets past the check.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from services.ngo_registry.records import names
from shared import migrations
from shared.db import make_engine
from tests.ngo_registry.helpers import ADMIN, BASE, create, simple

TAKEN = "urn:govnet:problem:association-name-taken"


def _post(client: Any, keys: Any, body: dict[str, Any]) -> Any:
    return client.post(f"{BASE}/associations", json=body, headers=keys.headers(ADMIN))


def test_g17_duplicate_name_ignoring_case_and_diacritics_is_409(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    first = create(client, keys, simple("Liên đoàn Bóng đá Việt Nam", field="the_thao"))
    assert first["warnings"] == []
    for variant in ("Liên đoàn Bóng đá Việt Nam", "LIÊN ĐOÀN BÓNG ĐÁ VIỆT NAM", "  lien doan   bong da viet nam ", "Liên đoàn Bóng-đá Việt Nam"):
        refused = _post(client, keys, simple(variant, field="the_thao"))
        assert refused.status_code == 409, (variant, refused.text)
        problem = refused.json()
        assert problem["type"] == TAKEN and problem["clash"] == "duplicate"
        assert problem["existing"] == {"id": first["id"], "name_vi": "Liên đoàn Bóng đá Việt Nam"}
        assert "Nghị định 45/2010/NĐ-CP" in problem["legal_basis"] and "Điều 4" in problem["legal_basis"]
    page = client.get(f"{BASE}/associations", params={"q": "lien doan bong da"}, headers=keys.headers(ADMIN)).json()
    assert page["count"] == 1  # nothing of the refused requests was stored


def test_g17_rename_to_a_taken_name_is_409_by_patch_and_by_status_change(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    holder = create(client, keys, simple("Hội Tin học Việt Nam", field="khoa_hoc"))
    other = create(client, keys, simple("Hội Vật lý Việt Nam", field="khoa_hoc"))
    h = keys.headers(ADMIN)
    patched = client.patch(f"{BASE}/associations/{other['id']}", json={"name_vi": "hội tin học việt nam"}, headers=h)
    assert patched.status_code == 409 and patched.json()["existing"]["id"] == holder["id"]
    change = {"kind": "doi_ten", "decision_number": "12/QĐ-BNV", "decision_date": "2024-01-10", "new_name_vi": "Hội Tin Học Việt Nam"}
    renamed = client.post(f"{BASE}/associations/{other['id']}/status-changes", json=change, headers=h)
    assert renamed.status_code == 409 and renamed.json()["existing"]["id"] == holder["id"]
    assert client.get(f"{BASE}/associations/{other['id']}", headers=h).json()["name_vi"] == "Hội Vật lý Việt Nam"
    # an association may change the spelling of its own name (same folded name) ...
    own = client.patch(f"{BASE}/associations/{holder['id']}", json={"name_vi": "Hội Tin học  Việt Nam"}, headers=h)
    assert own.status_code == 200, own.text
    # ... and take a free one, by either route
    free = client.post(f"{BASE}/associations/{other['id']}/status-changes", json={**change, "new_name_vi": "Hội Vật lý học Việt Nam"}, headers=h)
    assert free.status_code == 201, free.text
    assert free.json()["association"]["name_vi"] == "Hội Vật lý học Việt Nam"


def test_g17_a_dissolved_association_frees_its_name(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    old = create(client, keys, simple("Hội Nuôi ong tỉnh Nghệ An", scope="tinh", field="nong_nghiep"))
    assert _post(client, keys, simple("Hội Nuôi ong tỉnh Nghệ An", scope="tinh", field="nong_nghiep")).status_code == 409
    dissolved = client.post(
        f"{BASE}/associations/{old['id']}/status-changes",
        json={"kind": "tu_giai_the", "decision_number": "3/QĐ-UBND", "decision_date": "2023-05-02"},
        headers=keys.headers(ADMIN),
    )
    assert dissolved.status_code == 201, dissolved.text
    again = create(client, keys, simple("Hội Nuôi ong tỉnh Nghệ An", scope="tinh", field="nong_nghiep"))
    assert again["id"] != old["id"]


def test_g17_close_name_is_accepted_with_a_warning_naming_the_near_match(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    holder = create(client, keys, simple("Hội Tin học Việt Nam", field="khoa_hoc"))
    create(client, keys, simple("Hội Vật lý Việt Nam", field="khoa_hoc"))
    close = create(client, keys, simple("Hiệp hội Tin học Việt Nam", field="khoa_hoc"))
    assert [(w["code"], w["association_id"], w["name_vi"]) for w in close["warnings"]] == [("similar-name", holder["id"], "Hội Tin học Việt Nam")]
    assert 0.75 <= close["warnings"][0]["similarity"] < 1
    far = create(client, keys, simple("Hội Tin học tỉnh Nghệ An", scope="tinh", field="khoa_hoc"))
    assert far["warnings"] == []
    # a rename gets the same warnings; a PATCH that leaves the name alone gets none
    renamed = client.patch(f"{BASE}/associations/{far['id']}", json={"name_vi": "Hội Tin học Việt Nam mới"}, headers=keys.headers(ADMIN)).json()
    assert holder["id"] in [w["association_id"] for w in renamed["warnings"]]
    untouched = client.patch(f"{BASE}/associations/{far['id']}", json={"purpose": "Tin học"}, headers=keys.headers(ADMIN)).json()
    assert untouched["warnings"] == []


def test_g17_decree_45_accepts_an_encompassing_name_with_a_warning(db_url, make_client, keys) -> None:
    body = simple("Hội Tin học Việt Nam phía Nam", field="khoa_hoc")
    decree_45 = make_client("ngo_registry", db_url)
    holder = create(decree_45, keys, simple("Hội Tin học Việt Nam", field="khoa_hoc"))
    accepted = _post(decree_45, keys, body)
    assert accepted.status_code == 201 and accepted.json()["warnings"][0]["association_id"] == holder["id"]


def test_g17_decree_126_refuses_a_name_holding_a_live_name_whole(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url, rule_set="decree_126_2024")
    holder = create(client, keys, simple("Hội Tin học Việt Nam", field="khoa_hoc"))
    refused = _post(client, keys, simple("Hội Tin học Việt Nam phía Nam", field="khoa_hoc"))
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["clash"] == "encompassing" and problem["existing"]["id"] == holder["id"]
    assert "Nghị định 126/2024/NĐ-CP" in problem["legal_basis"]
    # whole words only, and the other way round is not encompassing: both are accepted
    create(client, keys, simple("Hội Tin học Việt Namese", field="khoa_hoc"))
    create(client, keys, simple("Hội Tin học", field="khoa_hoc"))
    assert _post(client, keys, simple("HỘI TIN HỌC VIỆT NAM", field="khoa_hoc")).json()["clash"] == "duplicate"


def test_g17_two_concurrent_creates_of_one_name_one_wins(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    bodies: list[dict[str, Any]] = []

    def post(spelling: str) -> None:
        barrier.wait()
        response = _post(client, keys, simple(spelling, field="the_thao"))
        statuses.append(response.status_code)
        bodies.append(response.json())

    threads = [threading.Thread(target=post, args=(s,)) for s in ("Liên đoàn Cờ tướng Việt Nam", "LIEN DOAN CO TUONG VIET NAM")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [201, 409], bodies
    winner = next(b for b in bodies if "id" in b)
    loser = next(b for b in bodies if b.get("status") == 409)
    assert loser["existing"]["id"] == winner["id"]
    page = client.get(f"{BASE}/associations", params={"q": "co tuong"}, headers=keys.headers(ADMIN)).json()
    assert page["count"] == 1


def test_g17_the_unique_index_refuses_what_the_check_missed(db_url, make_client, keys, monkeypatch: pytest.MonkeyPatch) -> None:
    client = make_client("ngo_registry", db_url)
    holder = create(client, keys, simple("Hội Khuyến học Việt Nam"))
    # as if another transaction had committed the name between the check and the insert
    monkeypatch.setattr(names, "refuse_taken_name", lambda **_: None)
    refused = _post(client, keys, simple("hoi khuyen hoc viet nam"))
    assert refused.status_code == 409, refused.text
    assert refused.json()["existing"] == {"id": holder["id"], "name_vi": "Hội Khuyến học Việt Nam"}
    engine = make_engine(db_url, pool_size=1)
    try:
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(_COPY), {"id": holder["id"]})
    finally:
        engine.dispose()


#: a second row with the same folded name, bypassing the service
_COPY = (
    "INSERT INTO association (name_vi, name_type_code, scope_code, field_code, managing_agency_code, nature_code, special_status, status, "
    "name_key, search_text, overdue_level_notified, version, created_at, updated_at) "
    "SELECT name_vi, name_type_code, scope_code, field_code, managing_agency_code, nature_code, special_status, status, "
    "name_key, search_text, overdue_level_notified, version, created_at, updated_at FROM association WHERE id = :id"
)


def test_g17_migration_marks_existing_duplicates_instead_of_failing(db_url, make_client, keys) -> None:
    migrations.upgrade("ngo_registry", db_url, "4ddbbee5dd1e")  # before the name rule
    engine = make_engine(db_url, pool_size=1)
    insert = text(
        "INSERT INTO association (name_vi, name_type_code, scope_code, field_code, managing_agency_code, nature_code, special_status, status, "
        "search_text, overdue_level_notified, version, created_at, updated_at) "
        "VALUES (:n, 'lien_doan', 'ca_nuoc', 'the_thao', 'bvhttdl', 'xa_hoi', false, :s, '', 0, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    try:
        with engine.begin() as conn:
            for name, status in [
                ("Liên đoàn Bóng đá Việt Nam", "active"),
                ("Liên đoàn Bóng đá Việt Nam", "active"),
                ("LIÊN ĐOÀN BÓNG ĐÁ VIỆT NAM", "merged"),
                ("Liên đoàn Bóng đá Việt Nam", "dissolved"),
                ("Liên đoàn Cầu lông Việt Nam", "active"),
            ]:
                conn.execute(insert, {"n": name, "s": status})
        client = make_client("ngo_registry", db_url)  # upgrades to head: must not fail
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, name_key, name_duplicate_of FROM association ORDER BY id")).all()
    finally:
        engine.dispose()
    first = rows[0][0]
    assert [r[1] for r in rows] == ["lien doan bong da viet nam"] * 4 + ["lien doan cau long viet nam"]
    assert [r[2] for r in rows] == [None, first, first, None, None]  # the oldest live record keeps the name
    refused = _post(client, keys, simple("Liên đoàn Bóng đá Việt Nam", field="the_thao"))
    assert refused.status_code == 409 and refused.json()["existing"]["id"] == first
    # a marked record that takes a name of its own holds it in the index like any other
    h = keys.headers(ADMIN)
    renamed = client.patch(f"{BASE}/associations/{rows[1][0]}", json={"name_vi": "Liên đoàn Bóng đá Bãi biển Việt Nam"}, headers=h)
    assert renamed.status_code == 200, renamed.text
    assert _post(client, keys, simple("Liên đoàn Bóng đá Bãi biển Việt Nam", field="the_thao")).status_code == 409


@pytest.mark.parametrize(("rule_set", "refused"), [("decree_45_2010", "duplicate"), ("decree_126_2024", "duplicate_or_encompassing")])
def test_g17_the_name_rule_in_force_is_served_with_its_basis(db_url, make_client, keys, rule_set: str, refused: str) -> None:
    client = make_client("ngo_registry", db_url, rule_set=rule_set)
    served = client.get(f"{BASE}/reports/rules", headers=keys.headers("ngo:read:basic")).json()
    assert served["rule_set"] == rule_set
    assert served["parameters"]["name_refused"]["value"] == refused
    assert served["parameters"]["name_near_match"]["value"] == 0.75
    assert served["parameters"]["name_refused"]["document"].startswith("Nghị định 45/2010" if rule_set == "decree_45_2010" else "Nghị định 126/2024")
