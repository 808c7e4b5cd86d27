"""Issue 9, item 12: every service's OpenAPI document says what its errors really are."""

from __future__ import annotations

from typing import Any

import pytest

from shared.config import SERVICE_NAMES
from shared.errors import PROBLEM_JSON
from tests.support import SigningKeys

PROBLEM = {"$ref": "#/components/schemas/Problem"}
WRITES = {"post", "put", "patch", "delete"}


def _document(service: str, client: Any) -> dict[str, Any]:
    if service == "gateway":
        # the gateway's /openapi.json aggregates the services' (its own module); its own part is this
        return dict(client.app.openapi())
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "responses" in op
    ]


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_hardening_12_every_operation_declares_its_problem_responses(service: str, db_url: str, make_client: Any) -> None:
    doc = _document(service, make_client(service, db_url))
    schemas = doc["components"]["schemas"]
    problem = schemas["Problem"]
    assert set(problem["properties"]) >= {"type", "title", "status", "detail", "instance", "errors"}
    assert problem["additionalProperties"] is True
    field_error = schemas["ProblemFieldError"]
    assert set(field_error["properties"]) == {"field", "message", "type"}
    assert problem["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/ProblemFieldError"}
    assert "HTTPValidationError" not in schemas  # FastAPI's 422 body is never sent

    operations = _operations(doc)
    assert operations
    for path, method, op in operations:
        where = f"{method.upper()} {path}"
        responses = op["responses"]
        if path.startswith("/oauth/"):
            # the OAuth endpoints answer RFC 6749 errors (they opt out of the problem responses)
            for status, response in responses.items():
                if status.startswith("4") and status != "422":
                    assert "application/json" in response["content"], f"{where} {status}"
            continue
        expected = {"429"}
        if op.get("parameters") or "requestBody" in op or method in WRITES:
            expected.add("422")
        if op.get("security"):
            expected |= {"401", "403"}
        if "{" in path:
            expected.add("404")
        if method in WRITES:
            expected.add("409")
        if "requestBody" in op or method in {"post", "put", "patch"}:
            expected.add("413")
        assert expected <= set(responses), f"{where} lacks {sorted(expected - set(responses))}"
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                assert response["content"] == {PROBLEM_JSON: {"schema": PROBLEM}}, f"{where} {status}"


def test_hardening_12_a_real_422_matches_the_documented_problem(db_url: str, make_client: Any, keys: SigningKeys) -> None:
    client = make_client("ipam", db_url)
    doc = client.get("/openapi.json").json()
    assert "401" in doc["paths"]["/api/v1/ipam/prefixes/{prefix_id}"]["get"]["responses"]
    response = client.get("/api/v1/ipam/prefixes/not-a-number", headers=keys.headers("ipam:read"))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    documented = doc["components"]["schemas"]["Problem"]
    assert set(documented["required"]) <= set(body)
    for name, value in body.items():
        if name in documented["properties"]:
            kind = documented["properties"][name]["type"]
            assert isinstance(value, {"string": str, "integer": int, "array": list}[kind]), name
    for item in body["errors"]:
        assert set(item) <= {"field", "message", "type"} and item["field"] == "prefix_id"
    unauthorised = client.get("/api/v1/ipam/prefixes/1")
    assert unauthorised.status_code == 401 and unauthorised.headers["content-type"] == PROBLEM_JSON
