"""N10 (Art. 9.1): monitoring credentials encrypted at rest, never in responses or logs, rotation report."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from services.devices.inventory.credentials import KEY_FILE, credentials_for
from services.devices.telemetry.poller import SnmpVersion
from shared.db import Database
from tests.devices.inventory.test_n13_inventory_api import API, A, B, _device, _h

COMMUNITY = "c0mmunity-Bí-mật-7731"
AUTH, PRIV = "auth-key-Zq81xx", "priv-key-Yw55yy"


def test_n10_credentials_encrypted_never_returned_nor_logged(
    devices: Any, keys: Any, db_url: str, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = devices()
    dev = _device(client, keys)
    admin = keys.headers("devices:admin")
    url = f"{API}/devices/{dev['id']}/credentials"
    assert client.get(url, headers=_h(keys, A)).json() == {
        "device_id": dev["id"], "set": False, "version": None, "last_changed": None, "due_for_rotation": False}
    # an agency's writer may not set them (Art. 9.1: the department keeps the monitoring accounts)
    assert client.put(url, json={"version": "v2c", "community": COMMUNITY}, headers=_h(keys, A)).status_code == 403
    put = client.put(url, json={"version": "v2c", "community": COMMUNITY}, headers=admin)
    assert put.status_code == 200 and put.json()["set"] is True and put.json()["version"] == "v2c"
    assert put.json()["last_changed"] and COMMUNITY not in put.text
    v3 = client.put(url, json={"version": "v3", "user": "govnet", "auth_key": AUTH, "priv_key": PRIV}, headers=admin)
    assert v3.status_code == 200 and AUTH not in v3.text and PRIV not in v3.text
    bad = client.put(url, json={"version": "v3", "user": "govnet", "auth_key": AUTH}, headers=admin)
    assert bad.status_code == 422 and AUTH not in bad.text  # the refused secret is not echoed
    short = client.put(url, json={"version": "v3", "user": "u", "auth_key": "short", "priv_key": PRIV}, headers=admin)
    assert short.status_code == 422 and PRIV not in short.text and "short" not in short.json().get("errors", [{}])[0].get("input", "")
    status = client.get(url, headers=_h(keys, A)).json()
    assert status["set"] is True and status["version"] == "v3"
    assert client.get(url, headers=_h(keys, B)).status_code == 404
    # at rest: only ciphertext; the key was generated into var/ with mode 0600
    db = Database(db_url)
    with db.session() as session:
        stored = session.execute(text("SELECT ciphertext FROM monitoring_credential")).scalar_one()
        creds = credentials_for(session=session, device_id=dev["id"], key=client.app.state.credentials_cipher)
        assert credentials_for(session=session, device_id=dev["id"], key=Fernet(Fernet.generate_key())) is None
    db.dispose()
    assert AUTH not in stored and PRIV not in stored and "govnet" not in stored
    assert creds is not None and creds.version is SnmpVersion.V3 and (creds.user, creds.auth_key, creds.priv_key) == ("govnet", AUTH, PRIV)
    assert AUTH not in repr(creds)
    key_file = client.app.state.settings.var_dir / KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    for secret in (COMMUNITY, AUTH, PRIV):
        assert secret not in caplog.text
    assert client.delete(url, headers=admin).status_code == 204
    assert client.get(url, headers=admin).json()["set"] is False


def test_n10_configured_key_and_rotation_report(devices: Any, keys: Any, db_url: str) -> None:
    key = Fernet.generate_key().decode()
    client = devices(credentials_key=key, credentials_rotation_days=30)
    admin = keys.headers("devices:admin")
    old, fresh = _device(client, keys), _device(client, keys)
    for dev in (old, fresh):
        client.put(f"{API}/devices/{dev['id']}/credentials", json={"version": "v2c", "community": COMMUNITY}, headers=admin)
    db = Database(db_url)
    with db.session() as session:
        session.execute(text("UPDATE monitoring_credential SET changed_at = :t WHERE device_id = :d"),
                        {"t": datetime.now(UTC) - timedelta(days=31), "d": old["id"]})
        session.commit()
        creds = credentials_for(session=session, device_id=fresh["id"], key=Fernet(key.encode()))
        assert creds is not None and creds.community == COMMUNITY
    db.dispose()
    assert not (client.app.state.settings.var_dir / KEY_FILE).exists()  # the configured key is used
    due = client.get(f"{API}/credentials/due", headers=admin)
    assert [d["device_id"] for d in due.json()] == [old["id"]] and due.json()[0]["due_for_rotation"] is True
    assert client.get(f"{API}/devices/{old['id']}/credentials", headers=admin).json()["due_for_rotation"] is True
    assert client.get(f"{API}/credentials/due", headers=_h(keys, A)).status_code == 403
