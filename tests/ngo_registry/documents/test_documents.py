"""Party and State documents (G14 m)."""

from __future__ import annotations

from datetime import date

from tests.ngo_registry.helpers import ADMIN, BASE


def _congress(held: date) -> list[dict[str, object]]:
    return [{"kind": "nhiem_ky", "held_on": held.isoformat(), "term_number": 3, "term_years": 5}]




def test_g14_m_party_documents_crud_and_list(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    h = keys.headers(ADMIN)
    body = {"number": "45/2010/NĐ-CP", "title": "Quy định về tổ chức, hoạt động và quản lý hội", "document_type": "nghi_dinh", "issuer": "Chính phủ", "issued_on": "2010-04-21", "effective_on": "2010-07-01"}
    created = client.post(f"{BASE}/documents", json=body, headers=h)
    assert created.status_code == 201, created.text
    doc_id = created.json()["id"]
    assert client.post(f"{BASE}/documents", json={**body, "document_type": "x"}, headers=h).status_code == 422
    assert client.post(f"{BASE}/documents", json={**body, "classification": "Mật"}, headers=h).status_code == 422
    assert client.patch(f"{BASE}/documents/{doc_id}", json={"title": "Nghị định về hội"}, headers=h).json()["title"] == "Nghị định về hội"
    listed = client.get(f"{BASE}/lists/party-documents", headers=h).json()
    assert listed["results"][0]["issued_on"] == "2010-04-21" and listed["results"][0]["document_type_label"] == "Nghị định"
    assert client.delete(f"{BASE}/documents/{doc_id}", headers=h).status_code == 204
    assert client.get(f"{BASE}/documents/{doc_id}", headers=h).status_code == 404  # documents are ngo:admin (issue 9, item 2)
