"""shared/errors.py: every error is an RFC 9457 problem document."""

from __future__ import annotations


def test_unknown_route_is_a_problem_document(db_url: str, make_client) -> None:
    client = make_client("devices", db_url)
    response = client.get("/api/v1/devices/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404
