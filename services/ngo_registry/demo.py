"""Deterministic, realistic demo associations (Vietnamese names with diacritics) and a bulk loader."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.ngo_registry.records.models import (
    AffiliatedUnit,
    Association,
    Congress,
    Funding,
    Leader,
    MemberCount,
    StaffAllocation,
)
from services.ngo_registry.rules import RuleSet, add_months, next_congress_due
from services.ngo_registry.text import fold_name, search_text

TOPICS: dict[str, list[str]] = {
    "nhan_dao": ["Chữ thập đỏ", "Bảo trợ trẻ em mồ côi", "Từ thiện", "Hiến máu tình nguyện"],
    "y_te": ["Y học cổ truyền", "Điều dưỡng", "Dược học", "Răng Hàm Mặt", "Tim mạch học", "Đông y"],
    "giao_duc": ["Khuyến học", "Cựu giáo chức", "Tâm lý giáo dục", "Giáo dục nghề nghiệp"],
    "khoa_hoc": ["Tin học", "Vật lý", "Toán học", "Hóa học", "Cơ học", "Trắc địa bản đồ"],
    "van_hoa": ["Điện ảnh", "Sân khấu", "Nhiếp ảnh", "Văn nghệ dân gian", "Âm nhạc", "Mỹ thuật"],
    "the_thao": ["Bóng đá", "Cờ tướng", "Quần vợt", "Võ thuật cổ truyền", "Bơi lội"],
    "kinh_te": ["Doanh nghiệp nhỏ và vừa", "Dệt may", "Thép", "Chế biến gỗ", "Chế biến và xuất khẩu thủy sản", "Du lịch"],
    "nong_nghiep": ["Làm vườn", "Nuôi ong", "Chăn nuôi", "Cà phê - Ca cao", "Trang trại"],
    "moi_truong": ["Bảo vệ thiên nhiên và môi trường", "Tài nguyên nước", "Địa chất", "Năng lượng sạch"],
    "phap_luat": ["Luật gia", "Công chứng", "Hòa giải thương mại"],
    "nghe_nghiep": ["Kế toán và Kiểm toán", "Kiến trúc sư", "Kỹ sư xây dựng", "Nhà báo", "Thẩm định giá"],
    "doi_ngoai": ["Hữu nghị Việt - Nhật", "Hữu nghị Việt - Lào", "Hữu nghị Việt - Pháp", "Hữu nghị Việt - Cu Ba"],
    "cuu_chien_binh": ["Cựu chiến binh", "Cựu thanh niên xung phong", "Cựu tù chính trị và tù binh"],
    "bao_tro_xa_hoi": ["Người mù", "Người cao tuổi", "Nạn nhân chất độc da cam/dioxin", "Người khuyết tật"],
    "van_hoc": ["Nhà văn", "Xuất bản", "Văn học dân gian", "Thơ Đường luật"],
}
AGENCY_OF_FIELD = {
    "nhan_dao": "bnv", "y_te": "byt", "giao_duc": "bgddt", "khoa_hoc": "bkhcn", "van_hoa": "bvhttdl", "the_thao": "bvhttdl",
    "kinh_te": "bct", "nong_nghiep": "bnnmt", "moi_truong": "bnnmt", "phap_luat": "btp", "nghe_nghiep": "btc",
    "doi_ngoai": "bng", "cuu_chien_binh": "bqp", "bao_tro_xa_hoi": "bnv", "van_hoc": "bvhttdl",
}
#: each province with real districts (huyện, thị xã, quận, thành phố) of its own
DISTRICTS_OF: dict[str, list[str]] = {
    "Hà Nội": ["huyện Đông Anh", "huyện Sóc Sơn", "thị xã Sơn Tây"],
    "Hải Phòng": ["huyện Thủy Nguyên", "huyện An Lão", "huyện Tiên Lãng"],
    "Đà Nẵng": ["huyện Hòa Vang", "quận Liên Chiểu", "quận Sơn Trà"],
    "Thừa Thiên Huế": ["huyện Phú Vang", "thị xã Hương Thủy", "huyện Phong Điền"],
    "Nghệ An": ["huyện Diễn Châu", "huyện Quỳnh Lưu", "huyện Nghi Lộc"],
    "Thanh Hóa": ["huyện Hoằng Hóa", "huyện Thọ Xuân", "thị xã Nghi Sơn"],
    "Khánh Hòa": ["huyện Cam Lâm", "thị xã Ninh Hòa", "huyện Diên Khánh"],
    "Cần Thơ": ["huyện Cờ Đỏ", "huyện Thới Lai", "quận Ninh Kiều"],
    "Đắk Lắk": ["huyện Krông Pắc", "huyện Cư M'gar", "thị xã Buôn Hồ"],
    "Lâm Đồng": ["huyện Đức Trọng", "huyện Di Linh", "thành phố Bảo Lộc"],
    "Quảng Ninh": ["huyện Vân Đồn", "thị xã Quảng Yên", "thành phố Cẩm Phả"],
    "Bắc Ninh": ["huyện Tiên Du", "thị xã Thuận Thành", "huyện Gia Bình"],
    "An Giang": ["huyện Chợ Mới", "thị xã Tân Châu", "huyện Thoại Sơn"],
    "Bình Định": ["huyện Phù Cát", "thị xã An Nhơn", "huyện Tây Sơn"],
    "Thành phố Hồ Chí Minh": ["huyện Củ Chi", "huyện Cần Giờ", "thành phố Thủ Đức"],
    "Hà Tĩnh": ["huyện Kỳ Anh", "huyện Can Lộc", "thị xã Hồng Lĩnh"],
    "Quảng Nam": ["huyện Duy Xuyên", "thị xã Điện Bàn", "huyện Thăng Bình"],
    "Đồng Nai": ["huyện Long Thành", "huyện Trảng Bom", "thành phố Long Khánh"],
}
PROVINCES = list(DISTRICTS_OF)
CITIES = ("Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ")
REGIONS = ["các tỉnh Tây Nguyên", "đồng bằng sông Cửu Long", "các tỉnh miền Trung", "các tỉnh miền núi phía Bắc"]
#: commune names of the common kind, which recur across districts (so a commune's
#: association is named with its district too)
COMMUNES = [f"xã {a} {b}" for a in ("Tân", "Hòa", "Phước", "An", "Vĩnh", "Bình", "Thanh", "Xuân") for b in ("Lập", "Hưng", "Phú", "Thịnh", "Lợi", "Sơn", "Thạnh", "Thành")]
#: the national association's own name where the topic is not simply followed by "Việt Nam"
NATIONAL_NAME = {
    "Hữu nghị Việt - Nhật": "Hữu nghị Việt Nam - Nhật Bản",
    "Hữu nghị Việt - Lào": "Hữu nghị Việt Nam - Lào",
    "Hữu nghị Việt - Pháp": "Hữu nghị Việt Nam - Pháp",
    "Hữu nghị Việt - Cu Ba": "Hữu nghị Việt Nam - Cu Ba",
}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quốc", "Ngọc", "Xuân", "Thu", "Hải", "Công"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hòa", "Hùng", "Lan", "Long", "Mai", "Nam", "Phương", "Quân", "Sơn", "Thảo", "Trung", "Tuấn", "Yến", "Đạt"]
NATURE_OF_FIELD = {"nghe_nghiep": "xa_hoi_nghe_nghiep", "phap_luat": "xa_hoi_nghe_nghiep", "van_hoc": "xa_hoi_nghe_nghiep", "kinh_te": "kinh_te", "cuu_chien_binh": "chinh_tri_xa_hoi"}
STREETS = ["Nguyễn Du", "Trần Hưng Đạo", "Lý Thường Kiệt", "Hai Bà Trưng", "Lê Duẩn", "Điện Biên Phủ", "Quang Trung", "Phan Đình Phùng"]


def _person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _type_prefix(field: str, rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    if field == "kinh_te" and roll < 0.7:
        return "hiep_hoi", "Hiệp hội"
    if field == "the_thao" and roll < 0.6:
        return "lien_doan", "Liên đoàn"
    if roll < 0.05:
        return "cau_lac_bo", "Câu lạc bộ"
    if roll < 0.07:
        return "tong_hoi", "Tổng hội"
    if roll < 0.09:
        return "lien_hiep_hoi", "Liên hiệp các hội"
    return "hoi", "Hội"


def red_cross(today: date) -> dict[str, Any]:
    """Hội Chữ thập đỏ Việt Nam, always present in the demo data."""
    return {
        "name_vi": RED_CROSS_NAME,
        "name_foreign": "Viet Nam Red Cross Society",
        "abbreviation": "VNRC",
        "name_type": "hoi",
        "scope": "ca_nuoc",
        "purpose": "Tổ chức xã hội hoạt động nhân đạo, tập hợp mọi người Việt Nam vì mục tiêu nhân đạo, hòa bình, hữu nghị.",
        "field": "nhan_dao",
        "managing_agency": "bnv",
        "nature": "xa_hoi",
        "special_status": True,
        "founding_decision_number": "SL-220",
        "founding_decision_date": "1946-11-23",
        "founding_decision_issuer": "Chủ tịch Chính phủ",
        "office_address": "82 Nguyễn Du, Hai Bà Trưng, Hà Nội",
        "office_phone": "024 3822 4030",
        "office_area_m2": 850.0,
        "office_origin": "nha_nuoc_cap",
        "dossier_number": "HS-0001",
        "dossier_location": "Kho lưu trữ Vụ Tổ chức phi chính phủ",
        "leaders": [{"role": "chu_tich", "full_name": "Bùi Thị Hòa", "from_date": "2022-08-01"}],
        "congresses": [
            {"kind": "thanh_lap", "held_on": "1946-11-23", "term_number": 1},
            {"kind": "nhiem_ky", "held_on": add_months(today, -40).isoformat(), "term_number": 11, "term_years": 5, "delegates": 600},
        ],
        "members": [{"as_of": date(today.year - 1, 12, 31).isoformat(), "member_type": "chinh_thuc", "count": 6_500_000}],
        "state_staff": [{"year": today.year - 1, "staff": 120}],
        "funding": [{"year": today.year - 1, "source": "ngan_sach", "amount_vnd": 25_000_000_000}],
    }


#: (scope, weight) of the scopes drawn for the demo
SCOPE_WEIGHTS = {"ca_nuoc": 3, "lien_tinh": 1, "tinh": 4, "huyen": 2, "xa": 1}
RED_CROSS_NAME = "Hội Chữ thập đỏ Việt Nam"


def _place(rng: random.Random, scope: str) -> tuple[str, str]:
    """A province (for the address) and the place an association of ``scope`` is named after."""
    province = rng.choice(PROVINCES)
    if scope == "ca_nuoc":
        return province, "Việt Nam"
    if scope == "lien_tinh":
        return province, rng.choice(REGIONS)
    if scope == "tinh":
        return province, (province if province.startswith("Thành phố") else f"thành phố {province}" if province in CITIES else f"tỉnh {province}")
    district = rng.choice(DISTRICTS_OF[province])
    if scope == "huyen":
        return province, district
    rural = [d for d in DISTRICTS_OF[province] if d.startswith(("huyện", "thị xã"))]
    return province, f"{rng.choice(COMMUNES)}, {rng.choice(rural)}"


def _unique_name(rng: random.Random, field: str, used: set[str], seed: int) -> tuple[str, str, str, str, str]:
    """``(topic, scope, province, type code, name)`` of an association no other demo record names.

    Drawn again while the name is taken: every association's name is its own (Decree 45/2010
    Art. 4), so there is one national association per topic and one branch per place.
    """
    for _ in range(10_000):
        topic = rng.choice(TOPICS[field])
        scope = rng.choices(list(SCOPE_WEIGHTS), weights=list(SCOPE_WEIGHTS.values()))[0]
        province, place = _place(rng, scope)
        # one type per topic: a national association and its branches are all "Liên đoàn" or all "Hội"
        type_code, prefix = _type_prefix(field, random.Random(f"{seed}:{topic}"))
        if scope != "ca_nuoc" and type_code in ("tong_hoi", "lien_hiep_hoi"):
            type_code, prefix = "hoi", "Hội"  # a federation is national; its provincial members are associations
        name = f"{prefix} {NATIONAL_NAME[topic]}" if scope == "ca_nuoc" and topic in NATIONAL_NAME else f"{prefix} {topic} {place}"
        if fold_name(name) not in used:
            used.add(fold_name(name))
            return topic, scope, province, type_code, name
    raise ValueError(f"no unused association name is left in field {field!r}: ask for fewer demo associations")


def generate(count: int, *, seed: int = 113, today: date | None = None) -> Iterator[dict[str, Any]]:
    """``count`` association payloads (AssociationCreate shape), the same for the same seed."""
    today = today or date.today()
    rng = random.Random(seed)
    fields = list(TOPICS)
    yield red_cross(today)
    used = {fold_name(RED_CROSS_NAME)}
    for i in range(1, count):
        field = fields[i % len(fields)]
        topic, scope, province, type_code, name = _unique_name(rng, field, used, seed)
        founded = date(rng.randint(1955, 2021), rng.randint(1, 12), rng.randint(1, 28))
        special = field in ("nhan_dao", "van_hoc", "cuu_chien_binh", "bao_tro_xa_hoi") and scope in ("ca_nuoc", "tinh") and rng.random() < 0.6
        # last term congress 1 to 9 years ago: about a third are overdue by 12 months or more
        last = today - timedelta(days=rng.randint(200, 9 * 365))
        if last < founded:
            last = founded
        term_years = rng.choice([5, 5, 5, 4])
        term_number = max(1, (last.year - founded.year) // term_years + 1)
        agency = AGENCY_OF_FIELD[field] if scope in ("ca_nuoc", "lien_tinh") else "ubnd_tinh"
        year = today.year - 1
        payload: dict[str, Any] = {
            "name_vi": name,
            "name_type": type_code,
            "scope": scope,
            "purpose": f"Tập hợp, đoàn kết hội viên hoạt động trong lĩnh vực {topic.lower()}.",
            "field": field,
            "managing_agency": agency,
            "nature": NATURE_OF_FIELD.get(field, "xa_hoi"),
            "special_status": special,
            "founding_decision_number": f"{rng.randint(10, 2999)}/QĐ-{'BNV' if scope in ('ca_nuoc', 'lien_tinh') else 'UBND'}",
            "founding_decision_date": founded.isoformat(),
            "founding_decision_issuer": "Bộ trưởng Bộ Nội vụ" if scope in ("ca_nuoc", "lien_tinh") else "Chủ tịch Ủy ban nhân dân tỉnh",
            "charter_decision_number": f"{rng.randint(10, 2999)}/QĐ-BNV",
            "charter_approval_date": (founded + timedelta(days=rng.randint(30, 400))).isoformat() if founded + timedelta(days=400) < today else None,
            "office_address": f"Số {rng.randint(1, 300)} {rng.choice(STREETS)}, {province}",
            "office_phone": f"0{rng.randint(20, 29)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
            "office_area_m2": float(rng.choice([25, 40, 60, 80, 120, 200, 350])),
            "office_origin": rng.choices(["so_huu", "nha_nuoc_cap", "thue", "muon", "khac"], weights=[1, 3, 4, 2, 1])[0],
            "dossier_number": f"HS-{i + 1:06d}",
            "dossier_location": "Kho lưu trữ Vụ Tổ chức phi chính phủ",
            "leaders": [
                {"role": "chu_tich", "full_name": _person(rng), "from_date": last.isoformat()},
                {"role": "pho_chu_tich", "full_name": _person(rng), "from_date": last.isoformat()},
                {"role": "tong_thu_ky", "full_name": _person(rng), "from_date": last.isoformat()},
            ],
            "congresses": [
                {"kind": "thanh_lap", "held_on": founded.isoformat(), "term_number": 1, "term_years": term_years},
                {"kind": "nhiem_ky", "held_on": last.isoformat(), "term_number": term_number, "term_years": term_years, "delegates": rng.randint(50, 500)},
            ]
            if last > founded
            else [{"kind": "thanh_lap", "held_on": founded.isoformat(), "term_number": 1, "term_years": term_years}],
            "members": [
                {"as_of": date(year, 12, 31).isoformat(), "member_type": "chinh_thuc", "count": rng.randint(30, 50_000)},
                {"as_of": date(year, 12, 31).isoformat(), "member_type": "lien_ket", "count": rng.randint(0, 500)},
            ],
            "state_staff": [{"year": year, "staff": rng.randint(2, 40)}] if special else [],
            "funding": [
                {"year": year, "source": "hoi_phi", "amount_vnd": rng.randint(10, 2000) * 1_000_000},
                {"year": year, "source": rng.choice(["tai_tro", "dich_vu", "khac"]), "amount_vnd": rng.randint(0, 5000) * 1_000_000},
            ]
            + ([{"year": year, "source": "ngan_sach", "amount_vnd": rng.randint(500, 20_000) * 1_000_000}] if special else []),
            "affiliated_units": [{"kind": "chi_hoi", "name": f"Chi hội {topic} số {n}", "address": province} for n in range(1, rng.randint(1, 3))],
        }
        if payload["charter_approval_date"] is None:
            del payload["charter_approval_date"]
        yield payload


def bulk_load(conn: Connection, payloads: list[dict[str, Any]], *, rules: RuleSet, today: date, first_id: int) -> int:
    """Insert payloads directly (benchmarks): no versions or events; derived columns computed here."""
    now = datetime.now(UTC)
    assocs: list[dict[str, Any]] = []
    children: dict[Any, list[dict[str, Any]]] = {t: [] for t in (Leader, Congress, MemberCount, StaffAllocation, Funding, AffiliatedUnit)}

    def d(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    for offset, p in enumerate(payloads):
        aid = first_id + offset
        terms = [c for c in p["congresses"] if c["kind"] in ("thanh_lap", "nhiem_ky")]
        last = max(terms, key=lambda c: c["held_on"]) if terms else None
        chair = next((x["full_name"] for x in p["leaders"] if x["role"] == "chu_tich"), None)
        assocs.append(
            {
                "id": aid, "name_vi": p["name_vi"], "name_foreign": p.get("name_foreign"), "abbreviation": p.get("abbreviation"),
                "name_type_code": p["name_type"], "scope_code": p["scope"], "purpose": p.get("purpose"), "field_code": p["field"],
                "managing_agency_code": p["managing_agency"], "nature_code": p["nature"], "special_status": p.get("special_status", False),
                "founding_decision_number": p.get("founding_decision_number"), "founding_decision_date": d(p.get("founding_decision_date")),
                "founding_decision_issuer": p.get("founding_decision_issuer"), "charter_decision_number": p.get("charter_decision_number"),
                "charter_approval_date": d(p.get("charter_approval_date")), "office_address": p.get("office_address"), "office_phone": p.get("office_phone"),
                "office_area_m2": p.get("office_area_m2"), "office_origin_code": p.get("office_origin"), "dossier_number": p.get("dossier_number"),
                "dossier_location": p.get("dossier_location"), "dossier_reconciled_on": None, "status": "active",
                "search_text": search_text(p["name_vi"], p.get("name_foreign"), p.get("abbreviation")), "chair_name": chair,
                "name_key": fold_name(p["name_vi"]),
                "last_congress_on": d(last["held_on"]) if last else None, "last_term_number": last.get("term_number") if last else None,
                "term_years": last.get("term_years") if last else None,
                "next_congress_due": next_congress_due(date.fromisoformat(last["held_on"]), last.get("term_years"), rules) if last else None,
                "overdue_level_notified": 0, "version": 1, "created_at": now, "updated_at": now,
            }
        )
        children[Leader] += [{"association_id": aid, "role_code": x["role"], "full_name": x["full_name"], "from_date": d(x.get("from_date")), "to_date": d(x.get("to_date"))} for x in p["leaders"]]
        children[Congress] += [{"association_id": aid, "kind_code": x["kind"], "held_on": d(x["held_on"]), "term_number": x.get("term_number"), "term_years": x.get("term_years"), "delegates": x.get("delegates")} for x in p["congresses"]]
        children[MemberCount] += [{"association_id": aid, "as_of": d(x["as_of"]), "member_type_code": x["member_type"], "count": x["count"]} for x in p.get("members", [])]
        children[StaffAllocation] += [{"association_id": aid, "year": x["year"], "staff": x["staff"]} for x in p.get("state_staff", [])]
        children[Funding] += [{"association_id": aid, "year": x["year"], "source_code": x["source"], "amount_vnd": x["amount_vnd"]} for x in p.get("funding", [])]
        children[AffiliatedUnit] += [{"association_id": aid, "kind_code": x["kind"], "name": x["name"], "address": x.get("address"), "decision_number": None} for x in p.get("affiliated_units", [])]
    conn.execute(sa.insert(Association), assocs)
    for table, rows in children.items():
        if rows:
            conn.execute(sa.insert(table), rows)
    return len(assocs)
