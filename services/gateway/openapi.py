"""The aggregated OpenAPI document: the gateway's own routes plus every service's, with the
security each route needs according to the route table. A service that is down is left out
(and named in ``info.x-unavailable``) rather than breaking the document."""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

from fastapi import FastAPI

from services.gateway.routes import match_route
from services.gateway.runtime import Gateway

CACHE_SECONDS = 30.0
_REF = re.compile(r'"#/components/schemas/([^"]+)"')


async def _fetch(gw: Gateway, segment: str, base: str) -> dict[str, Any] | None:
    assert gw.http is not None
    try:
        response = await gw.http.get(base + "/openapi.json", timeout=2.0)
        response.raise_for_status()
        return dict(response.json())
    except Exception:
        return None


def _prefixed(spec: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Rename the service's component schemas to ``<Prefix><Name>`` so services cannot collide."""
    text = _REF.sub(lambda m: f'"#/components/schemas/{prefix}{m.group(1)}"', json.dumps(spec))
    out: dict[str, Any] = json.loads(text)
    schemas = out.get("components", {}).get("schemas", {})
    out.setdefault("components", {})["schemas"] = {f"{prefix}{k}": v for k, v in schemas.items()}
    return out


async def aggregated_openapi(app: FastAPI) -> dict[str, Any]:
    gw: Gateway = app.state.gateway
    cached = getattr(app.state, "openapi_cache", None)
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return dict(cached[1])
    doc = dict(app.openapi())
    doc["paths"] = dict(doc.get("paths", {}))
    components = doc.setdefault("components", {})
    components["schemas"] = dict(components.get("schemas", {}))
    issuer = gw.settings.jwt_issuer.rstrip("/")
    components["securitySchemes"] = {
        "oauth2": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": f"{issuer}/oauth/token", "scopes": {}}}},
        "bearerJWT": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    }
    segments = list(gw.settings.upstreams.items())
    specs = await asyncio.gather(*(_fetch(gw, seg, base) for seg, base in segments))
    missing = []
    for (segment, _), spec in zip(segments, specs, strict=True):
        if spec is None:
            missing.append(segment)
            continue
        spec = _prefixed(spec, segment.capitalize() + "_")
        components["schemas"].update(spec.get("components", {}).get("schemas", {}))
        for path, item in spec.get("paths", {}).items():
            if not path.startswith(f"/api/v1/{segment}"):
                continue
            for method, operation in item.items():
                if not isinstance(operation, dict):
                    continue
                rule = match_route(method.upper(), path)
                if rule is None:
                    operation["x-gateway"] = "not exposed"
                    continue
                operation["security"] = [] if rule.public else [{"oauth2": list(rule.scopes)}, {"bearerJWT": []}]
                operation["x-required-scopes"] = list(rule.scopes)
            doc["paths"][path] = item
    doc["info"] = {**doc.get("info", {}), "title": "GovNet API (through the gateway)", "x-unavailable": missing}
    app.state.openapi_cache = (time.monotonic(), doc) if not missing else None
    return doc
