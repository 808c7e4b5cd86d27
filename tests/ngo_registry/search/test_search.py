"""Finding associations: the public list (G15) and the diacritic-insensitive search (G9)."""

from __future__ import annotations

from tests.ngo_registry.helpers import ADMIN, BASE, create, red_cross, simple


def test_g15_public_routes_need_no_token_and_show_public_fields(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    rec = create(client, keys, red_cross())
    create(client, keys, simple("Hội Khuyến học Việt Nam"))
    page = client.get(f"{BASE}/public/associations", params={"field": "nhan_dao"}).json()
    assert page["count"] == 1 and page["results"][0]["name_vi"] == "Hội Chữ thập đỏ Việt Nam"
    item = page["results"][0]
    assert "leaders" not in item and "chair_name" not in item and "special_status" not in item
    one = client.get(f"{BASE}/public/associations/{rec['id']}").json()
    assert one["tier"] == "public" and "funding" not in one and "members" not in one and "dossier" not in one
    assert one["head_office"] == {"address": "82 Nguyễn Du, Hai Bà Trưng, Hà Nội", "phone": "024 3822 4030"}
    paged = client.get(f"{BASE}/public/associations", params={"limit": 1}).json()
    assert paged["count"] == 2 and paged["next"] and "offset=1" in paged["next"]


def test_search_ignores_diacritics_and_ranks(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    target = create(client, keys, red_cross())
    create(client, keys, simple("Hội Hỗ trợ Chữ thập đỏ tỉnh Nghệ An", scope="tinh", field="nhan_dao"))
    create(client, keys, simple("Hội Đông y Việt Nam", field="y_te"))
    headers = keys.headers("ngo:read:basic")
    hits = client.get(f"{BASE}/associations", params={"q": "hoi chu thap do"}, headers=headers).json()
    assert hits["count"] == 2
    assert hits["results"][0]["id"] == target["id"]  # the whole phrase ranks above scattered words
    same = client.get(f"{BASE}/associations", params={"q": "Hội Chữ thập đỏ"}, headers=headers).json()
    assert [i["id"] for i in same["results"]] == [i["id"] for i in hits["results"]]
    filtered = client.get(f"{BASE}/associations", params={"q": "chu thap do", "scope": "tinh"}, headers=headers).json()
    assert [i["name_vi"] for i in filtered["results"]] == ["Hội Hỗ trợ Chữ thập đỏ tỉnh Nghệ An"]
    assert client.get(f"{BASE}/associations", params={"q": "dong y"}, headers=headers).json()["results"][0]["name_vi"] == "Hội Đông y Việt Nam"
    assert client.get(f"{BASE}/associations", params={"q": "vnrc"}, headers=headers).json()["count"] == 1
    # a query with no letters or digits is an ordinary search that finds nothing (it was a 422)
    nothing = client.get(f"{BASE}/associations", params={"q": "!!"}, headers=headers)
    assert nothing.status_code == 200 and nothing.json()["count"] == 0


def test_search_pages_keep_the_exact_count_and_see_renames(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    for place in ("tỉnh Nghệ An", "tỉnh Hà Tĩnh", "tỉnh Quảng Bình"):
        create(client, keys, simple(f"Hội Nuôi ong {place}", scope="tinh", field="kinh_te"))
    create(client, keys, simple("Hội Nuôi ong Việt Nam", field="kinh_te"))
    other = create(client, keys, simple("Hội Tin học Việt Nam", field="khoa_hoc"))
    headers = keys.headers("ngo:read:basic")
    pages = [client.get(f"{BASE}/associations", params={"q": "nuoi ong", "limit": 3, "offset": o}, headers=headers).json() for o in (0, 3, 6)]
    assert [p["count"] for p in pages] == [4, 4, 4]  # past the last page the count is still exact
    assert [len(p["results"]) for p in pages] == [3, 1, 0]
    ids = [i["id"] for p in pages for i in p["results"]]
    assert len(set(ids)) == 4 and other["id"] not in ids
    ranks = [i["rank"] for p in pages for i in p["results"]]
    assert ranks == sorted(ranks, reverse=True)
    scoped = client.get(f"{BASE}/associations", params={"q": "nuoi ong", "scope": "tinh", "limit": 2, "offset": 2}, headers=headers).json()
    assert scoped["count"] == 3 and len(scoped["results"]) == 1
    renamed = client.patch(f"{BASE}/associations/{other['id']}", json={"name_vi": "Hội Nuôi ong Tin học"}, headers=keys.headers(ADMIN))
    assert renamed.status_code == 200, renamed.text
    after = client.get(f"{BASE}/associations", params={"q": "nuôi ong", "limit": 50}, headers=headers).json()
    assert after["count"] == 5 and other["id"] in [i["id"] for i in after["results"]]


def test_g1_search_tolerates_other_scripts_in_a_query(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    china = create(client, keys, simple("Hội Hữu nghị Việt Nam - Trung Quốc", field="doi_ngoai", name_foreign="越南中国友好协会"))
    khmer = create(client, keys, simple("Hội Hữu nghị Việt Nam - Campuchia", field="doi_ngoai", name_foreign="សមាគមមិត្តភាពវៀតណាម-កម្ពុជា"))
    russia = create(client, keys, simple("Hội Hữu nghị Việt - Nga", field="doi_ngoai", name_foreign="Общество вьетнамско-российской дружбы"))
    headers = keys.headers("ngo:read:basic")

    def ids(q: str, path: str = "/associations") -> list[int]:
        response = client.get(f"{BASE}{path}", params={"q": q}, headers=headers)
        assert response.status_code == 200, (q, response.text)
        return [i["id"] for i in response.json()["results"]]

    assert ids("中国友好") == [china["id"]]
    assert ids("中国友好", "/public/associations") == [china["id"]]
    assert ids("មិត្តភាព") == [khmer["id"]]
    assert ids("ДРУЖБЫ") == [russia["id"]]  # lower-cased as well as written
    assert ids("日本") == [] and ids("中%友") == [] and ids("中_友") == [] and ids("!!") == []  # wildcards are plain characters
    assert ids("huu nghi viet nam trung quoc")[0] == china["id"]  # Vietnamese search unchanged
