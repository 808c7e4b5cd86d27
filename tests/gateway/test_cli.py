"""Operator CLI: ``govnet client create --json`` gives a working client; ``keys rotate``; ``user create --admin``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from services.cli import app as cli
from shared import migrations


def test_g13_cli_creates_admin_client_with_grant_and_rotates_keys(db_url: str, make_client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    migrations.upgrade("gateway", db_url)
    monkeypatch.setenv("GOVNET_GATEWAY_DATABASE_URL", db_url)
    for k, v in {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "1024", "ARGON2_PARALLELISM": "1"}.items():
        monkeypatch.setenv(f"GOVNET_GATEWAY_{k}", v)
    runner = CliRunner()
    made = runner.invoke(cli, ["user", "create", "--admin", "--username", "boss", "--password", "Quan-Tri-2026-x"])
    assert made.exit_code == 0, made.output
    weak = runner.invoke(cli, ["user", "create", "--admin", "--username", "weak", "--password", "short"])
    assert weak.exit_code == 1
    out = runner.invoke(cli, ["client", "create", "--name", "LGSP", "--org", "Sở TT&TT An Giang", "--scope", "ipam:read ipam:write", "--json"])
    assert out.exit_code == 0, out.output
    created = json.loads(out.output)
    h = make_client("gateway", db_url, argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1)
    r = h.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": created["client_id"],
                                     "client_secret": created["client_secret"]})
    assert r.status_code == 200 and r.json()["scope"] == "ipam:read ipam:write"
    before = {k["kid"] for k in h.get("/.well-known/jwks.json").json()["keys"]}
    assert runner.invoke(cli, ["keys", "rotate"]).exit_code == 0
    h.app.state.gateway.keys.load()  # type: ignore[attr-defined]
    after = {k["kid"] for k in h.get("/.well-known/jwks.json").json()["keys"]}
    assert before < after and len(after) == 2
    # the secret is stored only as an argon2id hash
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT secret_hash FROM clients")).scalar_one()
    engine.dispose()
    assert stored.startswith("$argon2id$") and created["client_secret"] not in stored


def test_g13_demo_start_writes_admin_credentials_0600(db_url: str, make_client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    var = tmp_path / "demo-var"
    h = make_client("gateway", db_url, load_demo_data=True, var_dir=var, argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1)
    path = var / "admin-credentials.json"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    creds = json.loads(path.read_text())
    assert creds["username"] == "admin" and creds["gateway_url"].startswith("http://127.0.0.1")
    first = h.post("/auth/login", json={"username": "admin", "password": creds["password"]})
    assert first.status_code == 403  # must change at first login
