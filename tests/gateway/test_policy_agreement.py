"""Issue 9 item 2: one access policy. The gateway's route table and every service's own
``require_scopes`` dependencies must say the same thing for every operation.

The test builds each service app with the test settings, walks every operation under
``/api/v1/``, derives what the service itself requires (public = no principal dependency;
otherwise the scopes any one of which passes ``require_scopes``, plus ``<service>:admin`` which
always passes) and checks that the gateway's ``match_route`` for that method and a concrete path
gives exactly that. The other way round, every specific rule of the table (no ``**``) must lead
to a service operation with the same policy, so the table holds no stale rules.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from starlette.routing import compile_path

from services.gateway.routes import ROUTES, SEGMENTS, RouteRule, match_route
from shared.auth import current_principal
from tests.conftest import service_settings

#: service package -> URL segment under /api/v1/
SERVICES = {"ipam": "ipam", "devices": "devices", "incidents": "incidents", "ngo_registry": "ngo"}


@dataclass(frozen=True)
class Policy:
    public: bool
    scopes: frozenset[str]

    def __str__(self) -> str:
        return "public" if self.public else "any of " + " ".join(sorted(self.scopes))


@dataclass(frozen=True)
class Operation:
    service: str
    method: str
    path: str
    regex: re.Pattern[str]
    policy: Policy


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _service_policy(service: str, method: str, path: str, dependant: Dependant) -> Policy:
    """What the service's own dependencies let through."""
    calls = list(_calls(dependant))
    scoped = [c for c in calls if hasattr(c, "required_scopes")]
    if not scoped:
        assert current_principal not in calls, (
            f"{service} {method} {path} needs a token but declares no scopes; use require_scopes so the gateway can agree"
        )
        return Policy(public=True, scopes=frozenset())
    policies = set()
    for dep in scoped:
        declared: tuple[str, ...] = dep.required_scopes
        assert dep.any_of or len(declared) == 1, (
            f"{service} {method} {path} needs all of {declared}; the gateway's rules open on any one scope"
        )
        policies.add(frozenset(declared) | {dep.admin_scope})
    assert len(policies) == 1, f"{service} {method} {path} stacks different scope requirements: {policies}"
    return Policy(public=False, scopes=policies.pop())


def _walk(routes: list[Any]) -> Iterator[tuple[str, set[str], Dependant]]:
    """(path, methods, dependant) of every API operation, including routers included lazily."""
    for route in routes:
        if hasattr(route, "effective_candidates"):  # an included router (FastAPI builds it lazily)
            yield from _walk(route.effective_candidates())
        elif getattr(route, "dependant", None) is not None and getattr(route, "methods", None):
            yield route.path, set(route.methods), route.dependant


def _operations(tmp_path: Path) -> list[Operation]:
    ops: list[Operation] = []
    for package in SERVICES:
        settings = service_settings(package, f"sqlite:///{tmp_path / package}.db",
                                    jwks_url=f"file://{tmp_path / 'none.json'}", var_dir=tmp_path / "var")
        app: FastAPI = importlib.import_module(f"services.{package}.app").create_app(settings)
        for path, methods, dependant in _walk(app.router.routes):
            if not path.startswith("/api/v1/"):
                continue
            regex = compile_path(path)[0]
            for method in sorted(methods):
                ops.append(Operation(package, method, path, regex, _service_policy(package, method, path, dependant)))
    return ops


def _gateway_policy(rule: RouteRule | None) -> Policy | None:
    if rule is None:
        return None
    return Policy(public=rule.public, scopes=frozenset(rule.scopes))


def _concrete(template: str) -> str:
    """A path that the template matches: every parameter becomes ``1``."""
    return re.sub(r"\{[^}]+\}", "1", template)


@pytest.fixture(scope="module")
def operations(tmp_path_factory: pytest.TempPathFactory) -> list[Operation]:
    return _operations(tmp_path_factory.mktemp("policy"))


def test_hardening_2_every_service_operation_agrees_with_the_gateway(operations: list[Operation]) -> None:
    assert {op.service for op in operations} >= {"ipam", "ngo_registry"}
    assert len(operations) > 80  # every IPAM and NGO operation, with their HEAD twins
    disagreements = []
    for op in operations:
        path = _concrete(op.path)
        gateway = _gateway_policy(match_route(op.method, path))
        if gateway != op.policy:
            disagreements.append(f"{op.method} {op.path}: service {op.policy}, gateway {gateway or 'not exposed'}")
    assert not disagreements, "the gateway and the services disagree:\n" + "\n".join(disagreements)


def test_hardening_2_every_specific_gateway_rule_leads_to_an_operation_with_its_policy(operations: list[Operation]) -> None:
    checked = 0
    for rule in ROUTES:
        if "**" in rule.pattern:
            continue  # a default for a whole prefix: the walk above proves it for every operation it covers
        path = rule.pattern.replace("*", "1")
        for method in sorted(rule.methods):
            target = next((op for op in operations if op.method == method and op.regex.match(path)), None)
            assert target is not None, f"rule {method} {rule.pattern} leads to no service operation"
            assert target.policy == _gateway_policy(rule), (
                f"rule {method} {rule.pattern}: gateway {_gateway_policy(rule)}, service {target.policy}")
            checked += 1
    assert checked >= 15  # every NGO rule but the prefix defaults


def test_hardening_2_ngo_categories_are_public_and_documents_need_the_department() -> None:
    for path in ("/api/v1/ngo/categories", "/api/v1/ngo/categories/field"):
        rule = match_route("GET", path)
        assert rule is not None and rule.public, path
    for method, path in (("POST", "/api/v1/ngo/categories/field"), ("PATCH", "/api/v1/ngo/categories/field/01")):
        rule = match_route(method, path)
        assert rule is not None and not rule.public and rule.scopes == ("ngo:admin",), (method, path)
    for method, path in (("GET", "/api/v1/ngo/documents"), ("GET", "/api/v1/ngo/documents/1"), ("DELETE", "/api/v1/ngo/documents/1")):
        rule = match_route(method, path)
        assert rule is not None and rule.scopes == ("ngo:admin",), (method, path)


def test_hardening_2_segments_cover_every_service() -> None:
    assert set(SERVICES.values()) == set(SEGMENTS)
