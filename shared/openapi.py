"""The error side of every service's OpenAPI document: what the handlers in shared.errors send.

Every error a service answers is an RFC 9457 ``application/problem+json`` document, but FastAPI
documents only its own 422 body, as ``application/json``. :func:`install_problem_openapi` makes
each operation promise what it can really answer, with the ``Problem`` schema:

- 422 on every operation that takes parameters or a body, or writes (FastAPI's body replaced);
- 401 and 403 where a token is required;
- 404 on routes with path parameters, 409 on writes, 413 on operations that take a body;
- 429 everywhere (the gateway's rate limits answer it for the service's routes).

A status an operation already declares keeps its description; only its content becomes the
problem document. An operation can opt out (e.g. OAuth endpoints, whose errors RFC 6749 shapes)
with ``openapi_extra={"x-govnet-problems": False}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from shared.auth import current_principal
from shared.errors import PROBLEM_JSON

OPT_OUT = "x-govnet-problems"
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
BODY_METHODS = frozenset({"post", "put", "patch"})
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An RFC 9457 problem document; every error a GovNet service answers is one.",
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem (urn:govnet:problem:…)"},
        "title": {"type": "string", "description": "A short summary of the kind of problem"},
        "status": {"type": "integer", "description": "The HTTP status code"},
        "detail": {"type": "string", "description": "What went wrong this time, for a person"},
        "instance": {"type": "string", "description": "The path of the request"},
        "errors": {
            "type": "array",
            "description": "One entry per refused field (validation)",
            "items": {"$ref": "#/components/schemas/ProblemFieldError"},
        },
    },
    "required": ["type", "title", "status"],
    "additionalProperties": True,
}
PROBLEM_FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "title": "ProblemFieldError",
    "type": "object",
    "properties": {
        "field": {"type": "string", "description": "The field, dotted (e.g. contacts.0.email)"},
        "message": {"type": "string"},
        "type": {"type": "string", "description": "The kind of error (e.g. missing, int_parsing)"},
    },
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "401": "No valid access token (missing, expired, revoked or not issued by the gateway)",
    "403": "The token lacks a scope this route needs",
    "404": "Nothing with this id (or not visible to the caller)",
    "409": "The change conflicts with the current state",
    "413": "The request body is larger than the service accepts",
    "422": "The request is not valid; `errors` names each field",
    "429": "Too many requests; retry after the Retry-After header",
}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any] | None]:
    yield dependant.call
    for sub in dependant.dependencies:
        yield from _calls(sub)


def _api_routes(routes: list[Any]) -> Iterator[Any]:
    """Every API route as FastAPI's OpenAPI generator sees it (included routers flattened)."""
    for context in routing.iter_route_contexts(routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def _needs_token(route: Any) -> bool:
    """True when the route reads a bearer token (it depends on :func:`current_principal`)."""
    return current_principal in set(_calls(route.dependant))


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": dict(PROBLEM_REF)}}}


def document_operation(operation: dict[str, Any], *, method: str, path: str, needs_token: bool) -> None:
    """Declare the problem responses ``operation`` can answer (in place)."""
    responses: dict[str, Any] = operation.setdefault("responses", {})
    statuses = {"429"}
    if operation.get("parameters") or "requestBody" in operation or method in WRITE_METHODS:
        statuses.add("422")
    if needs_token:
        statuses.update(("401", "403"))
    if "{" in path:
        statuses.add("404")
    if method in WRITE_METHODS:
        statuses.add("409")
    if "requestBody" in operation or method in BODY_METHODS:
        statuses.add("413")
    for status in sorted(statuses):
        declared = responses.get(status)
        if declared is None:
            responses[status] = _problem_response(DESCRIPTIONS[status])
            continue
        if status == "422" and declared.get("description") == "Validation Error":
            declared["description"] = DESCRIPTIONS["422"]  # FastAPI's default wording
        declared["content"] = {PROBLEM_JSON: {"schema": dict(PROBLEM_REF)}}
    # a status a route declared itself (e.g. 404 without content) is a problem document too
    for status, declared in responses.items():
        if status[:1] in {"4", "5"} and isinstance(declared, dict) and "content" not in declared:
            declared["content"] = {PROBLEM_JSON: {"schema": dict(PROBLEM_REF)}}
    operation["responses"] = dict(sorted(responses.items()))


def document_problems(schema: dict[str, Any], routes: list[Any]) -> dict[str, Any]:
    """Post-process an app's OpenAPI ``schema`` (in place) so every operation declares its problems."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    components["ProblemFieldError"] = PROBLEM_FIELD_ERROR_SCHEMA
    paths = schema.get("paths", {})
    for route in _api_routes(routes):
        if not route.include_in_schema:
            continue
        item = paths.get(route.path_format, {})
        for method in route.methods or ():
            operation = item.get(method.lower())
            if not isinstance(operation, dict):
                continue
            if operation.pop(OPT_OUT, True) is False:
                continue
            document_operation(operation, method=method.lower(), path=route.path_format, needs_token=_needs_token(route))
    # FastAPI's validation schemas are unused once every 422 is a problem document
    text = json.dumps(paths)
    for name in ("HTTPValidationError", "ValidationError"):
        if f'"#/components/schemas/{name}"' not in text:
            still_used = any(
                f'"#/components/schemas/{name}"' in json.dumps(v) for k, v in components.items() if k != name
            )
            if not still_used:
                components.pop(name, None)
    return schema


def install_problem_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the document with every problem response declared."""
    generate = app.openapi
    done: list[int] = []  # id of the document already processed (FastAPI rebuilds it when routes change)

    def openapi() -> dict[str, Any]:
        schema = generate()
        if done != [id(schema)]:
            document_problems(schema, app.routes)
            done[:] = [id(schema)]
        return schema

    # FastAPI's documented way to customise the document is to replace the method; mypy forbids
    # assigning to a method, so this one line says it is meant
    app.openapi = openapi  # type: ignore[method-assign]
