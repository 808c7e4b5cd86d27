"""Gateway test helpers: a migrated gateway with cheap argon2 parameters, an administrator,
organisations with grants and clients, and a real upstream served by uvicorn in a thread."""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient

from services.gateway.access import service as access
from services.gateway.access.service import ScopeDecision
from services.gateway.clients import service as clients
from services.gateway.identity import service as identity
from services.gateway.models import utcnow
from services.gateway.runtime import Gateway
from tests.support import free_test_port

ADMIN_PASSWORD = "Adm1n-Passw0rd!x"
FAST_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_kib": 1024, "argon2_parallelism": 1}


@dataclass
class GatewayHarness:
    client: TestClient

    @property
    def gw(self) -> Gateway:
        gw: Gateway = self.client.app.state.gateway  # type: ignore[attr-defined]
        return gw

    def admin(self, username: str = "root") -> dict[str, str]:
        """Create an administrator (no forced change) and return bearer headers for it."""
        with self.gw.database.transaction() as session:
            org, _ = access.ensure_operator_grant(session=session)
            if identity.user_by_username(session=session, username=username) is None:
                identity.create_user(session=session, hasher=self.gw.hasher, rules=self.gw.rules, username=username,
                                    password=ADMIN_PASSWORD, org_id=org.id, is_admin=True, must_change=False)
        response = self.client.post("/auth/login", json={"username": username, "password": ADMIN_PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def org_with_client(self, name: str, scopes: list[str]) -> tuple[str, str, str, str]:
        """An organisation with an active grant of ``scopes`` and a client: (org_id, grant_id, client_id, secret)."""
        with self.gw.database.transaction() as session:
            org = access.ensure_organisation(session=session, ref=name)
            now = utcnow()
            grant = access.create_grant(session=session, org_id=org.id, scopes=scopes, valid_from=now - timedelta(minutes=1),
                                         valid_until=now + timedelta(days=30))
            client, secret = clients.create_client(session=session, hasher=self.gw.hasher, name=name, org_id=org.id)
            return org.id, grant.id, client.client_id, secret

    def client_token(self, client_id: str, secret: str, scope: str | None = None) -> str:
        data = {"grant_type": "client_credentials"}
        if scope:
            data["scope"] = scope
        response = self.client.post("/oauth/token", data=data, headers=basic(client_id, secret))
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


@pytest.fixture(scope="session")
def dead_upstream() -> Iterator[str]:
    """A loopback address nothing answers on, owned by the test run.

    The port is bound but never listened on, so connecting is refused at once and no other
    process (``make run``'s services on 8101-8104, say) can take it while the tests run.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


def _unreachable_upstreams(url: str) -> dict[str, str]:
    return {f"upstream_{segment}": url for segment in ("ipam", "devices", "incidents", "ngo")}


@pytest.fixture
def harness(db_url: str, make_client: Any, dead_upstream: str) -> GatewayHarness:
    return GatewayHarness(make_client("gateway", db_url, **FAST_ARGON2, **_unreachable_upstreams(dead_upstream)))


@pytest.fixture
def make_gateway(db_url: str, make_client: Any, dead_upstream: str) -> Any:
    """A gateway whose upstreams are unreachable unless ``overrides`` say otherwise (never the default ports)."""

    def factory(**overrides: Any) -> GatewayHarness:
        settings = {**FAST_ARGON2, **_unreachable_upstreams(dead_upstream), **overrides}
        return GatewayHarness(make_client("gateway", db_url, **settings))

    return factory


class ThreadedServer:
    """A real uvicorn server on a free loopback port, in a background thread."""

    def __init__(self, app: Any) -> None:
        self.port = free_test_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("upstream did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def echo_app() -> FastAPI:
    """A stand-in upstream that echoes what it received (to check header handling)."""
    app = FastAPI()

    @app.get("/api/v1/ipam/things/{thing_id}")
    async def thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    @app.get("/api/v1/ipam/login-cookie")
    async def login_cookie() -> Response:
        response = Response(b"{}", media_type="application/json")
        response.set_cookie("upstream_session", "caller-a-only")
        return response

    @app.api_route("/api/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def echo(rest: str, request: Request) -> dict[str, Any]:
        body = await request.body()
        return {"path": request.url.path, "query": request.url.query, "method": request.method,
                "headers": dict(request.headers), "body_length": len(body)}

    return app


@pytest.fixture
def echo_upstream() -> Iterator[ThreadedServer]:
    with ThreadedServer(echo_app()) as server:
        yield server


class RecordingApp:
    """Wraps an upstream app and records the raw path of every request that reaches it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[bytes] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.seen.append(scope.get("raw_path") or scope["path"].encode())
        await self.app(scope, receive, send)


@dataclass
class ServedGateway:
    """A gateway served by uvicorn on a free port (so raw request targets reach it unchanged)."""

    server: ThreadedServer
    app: Any

    @property
    def gw(self) -> Gateway:
        gw: Gateway = self.app.state.gateway
        return gw

    def token(self, scopes: list[str]) -> str:
        """A token of a fresh organisation holding an active grant of ``scopes``."""
        with self.gw.database.transaction() as session:
            org = access.ensure_organisation(session=session, ref="Tổ chức " + " ".join(scopes))
            now = utcnow()
            grant = access.create_grant(session=session, org_id=org.id, scopes=scopes,
                                         valid_from=now - timedelta(minutes=1), valid_until=now + timedelta(days=1))
            org_id, grant_id = org.id, grant.id
        token, _ = self.gw.mint(sub="client:raw", org=org_id, client_id="raw", decision=ScopeDecision(scopes, [grant_id]))
        return token

    def raw(self, method: str, target: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """Send ``target`` exactly as given (no client-side normalisation); (status, whole answer)."""
        lines = [f"{method} {target} HTTP/1.1", f"Host: 127.0.0.1:{self.server.port}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=15) as sock:
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        return int(data.split(b" ", 2)[1]), data


@pytest.fixture
def serve_gateway(db_url: str, keys: Any, tmp_path: Any, dead_upstream: str) -> Iterator[Any]:
    """``serve_gateway(**settings)``: a migrated gateway served by uvicorn (upstreams unreachable by default)."""
    from services.gateway.app import create_app
    from shared import migrations
    from tests.conftest import service_settings

    opened: list[ThreadedServer] = []

    def factory(**overrides: Any) -> ServedGateway:
        migrations.upgrade("gateway", db_url)
        values = {**FAST_ARGON2, **_unreachable_upstreams(dead_upstream), "jwks_url": keys.jwks_url,
                  "var_dir": tmp_path / "var", **overrides}
        app = create_app(service_settings("gateway", db_url, **values))
        server = ThreadedServer(app)
        server.__enter__()
        opened.append(server)
        return ServedGateway(server, app)

    yield factory
    for server in reversed(opened):
        server.__exit__()
