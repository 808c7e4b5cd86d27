"""Submissions (G2, G6, G18 raw preservation): raw stored as received, basic validated, reviewed."""

from __future__ import annotations

import hashlib
import io
import json

from openpyxl import Workbook

from tests.ngo_registry.helpers import ADMIN, BASE, create, red_cross, simple


def _xlsx(rows: list[tuple[str, object]], leaders: list[dict[str, str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Phiếu"
    sheet.append(["Trường", "Giá trị"])
    for row in rows:
        sheet.append(list(row))
    lead = book.create_sheet("leaders")
    lead.append(["role", "full_name", "from_date"])
    for item in leaders:
        lead.append([item["role"], item["full_name"], item["from_date"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_g6_association_submits_json_stored_raw_then_accepted_into_the_record(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    rec = create(client, keys, red_cross())
    aid = rec["id"]
    raw = json.dumps({"office_phone": "024 9999 9999", "field": "Nhân đạo, từ thiện"}, ensure_ascii=False, indent=3).encode()
    submitter = keys.headers("ngo:submit", org=str(aid), sub="vnrc:officer")
    sent = client.post(f"{BASE}/submissions", content=raw, headers={**submitter, "content-type": "application/json"})
    assert sent.status_code == 201, sent.text
    sub = sent.json()
    assert sub["status"] == "validated" and sub["association_id"] == aid
    assert sub["raw_sha256"] == hashlib.sha256(raw).hexdigest()
    assert sub["standardised"]["field"] == "nhan_dao"  # label standardised to its code (basic tier)
    stored = client.get(f"{BASE}/submissions/{sub['id']}/files/{sub['files'][0]['id']}", headers=submitter)
    assert stored.content == raw  # byte for byte as received
    # another association cannot submit for this one, nor see this submission
    other = keys.headers("ngo:submit", org="999")
    assert client.post(f"{BASE}/submissions", json={"office_phone": "1"}, headers=other).status_code == 403
    assert client.get(f"{BASE}/submissions/{sub['id']}", headers=keys.headers("ngo:submit", org="12345")).status_code == 404
    assert client.post(f"{BASE}/submissions/{sub['id']}/review", json={"decision": "accept"}, headers=submitter).status_code == 403
    reviewed = client.post(f"{BASE}/submissions/{sub['id']}/review", json={"decision": "accept"}, headers=keys.headers(ADMIN, sub="staff:thu"))
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "accepted"
    got = client.get(f"{BASE}/associations/{aid}", headers=keys.headers(ADMIN)).json()
    assert got["head_office"]["phone"] == "024 9999 9999"
    assert got["provenance"]["head_office"]["source"] == f"submission:{sub['id']}"
    again = client.post(f"{BASE}/submissions/{sub['id']}/review", json={"decision": "reject", "reason": "x"}, headers=keys.headers(ADMIN))
    assert again.status_code == 409


def test_g2_xlsx_upload_with_attachments_invalid_then_correction_requested(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    aid = create(client, keys, red_cross())["id"]
    sheet = _xlsx([("name_vi", "Hội Chữ thập đỏ Việt Nam"), ("scope", "Cả nước"), ("nature", "không rõ")], [{"role": "Chủ tịch", "full_name": "Bùi Thị Hòa", "from_date": "2022-08-01"}])
    pdf = b"%PDF-1.4 bien ban dai hoi"
    response = client.post(
        f"{BASE}/submissions/upload",
        files=[("sheet", ("phieu.xlsx", sheet, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), ("files", ("bien-ban.pdf", pdf, "application/pdf"))],
        headers=keys.headers("ngo:submit", org=str(aid)),
    )
    assert response.status_code == 201, response.text
    sub = response.json()
    assert sub["format"] == "xlsx" and sub["status"] == "invalid"
    assert {e["field"] for e in sub["validation_errors"]} == {"nature"}
    assert sub["standardised"]["scope"] == "ca_nuoc" and sub["standardised"]["leaders"][0]["role"] == "chu_tich"
    assert [f["sha256"] for f in sub["files"]] == [hashlib.sha256(sheet).hexdigest(), hashlib.sha256(pdf).hexdigest()]
    h = keys.headers(ADMIN)
    assert client.post(f"{BASE}/submissions/{sub['id']}/review", json={"decision": "accept"}, headers=h).status_code == 409
    assert client.post(f"{BASE}/submissions/{sub['id']}/review", json={"decision": "request_correction"}, headers=h).status_code == 422
    corrected = client.post(f"{BASE}/submissions/{sub['id']}/review", json={"decision": "request_correction", "reason": "Tính chất không có trong danh mục"}, headers=h)
    assert corrected.json()["status"] == "correction_requested"
    pending = client.get(f"{BASE}/submissions", params={"status": "correction_requested"}, headers=h).json()
    assert pending["count"] == 1


def test_g1_classified_upload_refused_audited_and_not_stored(db_url, make_client, keys, tmp_path) -> None:
    client = make_client("ngo_registry", db_url)
    aid = create(client, keys, red_cross())["id"]
    h = keys.headers("ngo:submit", org=str(aid), sub="vnrc:officer")
    marked = "BIÊN BẢN\nTỐI MẬT\nNội dung".encode()
    response = client.post(
        f"{BASE}/submissions/upload",
        files=[("sheet", ("phieu.json", b'{"office_phone": "1"}', "application/json")), ("files", ("bien-ban.txt", marked, "text/plain"))],
        headers=h,
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "files[0]"
    assert client.post(f"{BASE}/submissions", json={"classification": "Tuyệt mật"}, headers=h).status_code == 422
    assert client.get(f"{BASE}/submissions", headers=keys.headers(ADMIN)).json()["count"] == 0
    raw_dir = tmp_path / "var" / "ngo_registry" / "raw"
    assert not raw_dir.exists() or not any(p.is_file() for p in raw_dir.rglob("*"))


def test_g17_submission_review_applies_the_name_rule(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    holder = create(client, keys, simple("Hội Tin học Việt Nam", field="khoa_hoc"))
    other = create(client, keys, simple("Hội Vật lý Việt Nam", field="khoa_hoc"))
    staff = keys.headers(ADMIN)
    # an association asks to take a live association's name: staff see it before deciding ...
    own = keys.headers("ngo:submit", org=str(other["id"]))
    sub = client.post(f"{BASE}/submissions", json={"name_vi": "HỘI TIN HỌC VIỆT NAM"}, headers=own).json()
    seen = client.get(f"{BASE}/submissions/{sub['id']}", headers=staff).json()
    assert [(w["code"], w["association_id"]) for w in seen["warnings"]] == [("name-taken", holder["id"])]
    # ... and accepting it is the same 409 as a PATCH; the submission stays open for a correction
    accepted = client.post(f"{BASE}/submissions/{sub['id']}/review", json={"decision": "accept"}, headers=staff)
    assert accepted.status_code == 409 and accepted.json()["existing"] == {"id": holder["id"], "name_vi": "Hội Tin học Việt Nam"}
    assert client.get(f"{BASE}/submissions/{sub['id']}", headers=staff).json()["status"] == "validated"
    # a new association with a close name is accepted, with the near match named
    body = {"name_vi": "Hiệp hội Tin học Việt Nam", "name_type": "hiep_hoi", "scope": "ca_nuoc", "field": "khoa_hoc", "managing_agency": "bkhcn", "nature": "xa_hoi"}
    new = client.post(f"{BASE}/submissions", json=body, headers=keys.headers("ngo:submit ngo:admin")).json()
    assert [w["code"] for w in client.get(f"{BASE}/submissions/{new['id']}", headers=staff).json()["warnings"]] == ["similar-name"]
    reviewed = client.post(f"{BASE}/submissions/{new['id']}/review", json={"decision": "accept"}, headers=staff)
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["status"] == "accepted"
    assert [(w["code"], w["association_id"]) for w in reviewed.json()["warnings"]] == [("similar-name", holder["id"])]
