"""Monitoring credentials (N10, Art. 9.1): SNMP secrets encrypted at rest, read back only in-process.

The key is ``GOVNET_DEVICES_CREDENTIALS_KEY`` (a Fernet key: AES-128-CBC with HMAC-SHA256), or
``var/devices-credentials.key`` generated on first use (mode 0600). The API only ever says that a
credential is set and when it last changed; :func:`credentials_for` is for the poller.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal, Protocol

from cryptography.fernet import Fernet, InvalidToken
from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from sqlmodel import Session, col, select

from services.devices.inventory.models import Device, MonitoringCredential
from services.devices.telemetry.poller import Credentials, SnmpVersion
from shared.auth import Principal
from shared.types import Name

KEY_FILE = "devices-credentials.key"


class KeySettings(Protocol):
    """The settings the key comes from."""

    @property
    def credentials_key(self) -> SecretStr | None: ...
    @property
    def var_dir(self) -> Path: ...


def cipher(settings: KeySettings) -> Fernet:
    """The Fernet of the configured key, or of the key file in var/ (created on first use)."""
    if settings.credentials_key is not None:
        return Fernet(settings.credentials_key.get_secret_value().encode())
    path = Path(settings.var_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key())
    return Fernet(path.read_bytes().strip())


Secret = SecretStr


class CredentialSet(BaseModel):
    """SNMP secrets of one device: a v2c community, or a v3 authPriv user with its two keys."""

    model_config = ConfigDict(extra="forbid")
    version: Literal["v2c", "v3"]
    community: Secret | None = Field(default=None, min_length=1, max_length=128)
    user: Name | None = Field(default=None, min_length=1, max_length=64)
    auth_key: Secret | None = Field(default=None, min_length=8, max_length=128)
    priv_key: Secret | None = Field(default=None, min_length=8, max_length=128)

    @model_validator(mode="after")
    def _complete(self) -> CredentialSet:
        if self.version == "v2c" and self.community is None:
            raise ValueError("v2c needs a community")
        if self.version == "v3" and not (self.user and self.auth_key and self.priv_key):
            raise ValueError("v3 authPriv needs a user, an auth key and a priv key")
        return self


class CredentialStatus(BaseModel):
    """What the API says about a device's credentials: never the secrets."""

    device_id: int
    set: bool
    version: str | None = None
    last_changed: datetime | None = None
    due_for_rotation: bool = False


def _plain(data: CredentialSet) -> bytes:
    values = {
        "version": data.version,
        "community": data.community.get_secret_value() if data.community else None,
        "user": data.user,
        "auth_key": data.auth_key.get_secret_value() if data.auth_key else None,
        "priv_key": data.priv_key.get_secret_value() if data.priv_key else None,
    }
    return json.dumps(values).encode()


def store(*, session: Session, principal: Principal, device: Device, data: CredentialSet, key: Fernet) -> MonitoringCredential:
    """Encrypt and store (or replace) ``device``'s credentials."""
    assert device.id is not None
    row = session.get(MonitoringCredential, device.id) or MonitoringCredential(device_id=device.id, ciphertext="")
    row.ciphertext = key.encrypt(_plain(data)).decode()
    row.changed_at = datetime.now(UTC)
    row.changed_by = principal.sub[:200]
    session.add(row)
    session.flush()
    return row


def remove(*, session: Session, device: Device) -> None:
    """Forget ``device``'s credentials."""
    row = session.get(MonitoringCredential, device.id)
    if row is not None:
        session.delete(row)
        session.flush()


def _due(changed_at: datetime, *, rotation_days: int, now: datetime) -> bool:
    changed = changed_at if changed_at.tzinfo else changed_at.replace(tzinfo=UTC)
    return now - changed >= timedelta(days=rotation_days)


def status(*, session: Session, device: Device, key: Fernet, rotation_days: int) -> CredentialStatus:
    """Whether ``device`` has credentials, their version and when they last changed."""
    assert device.id is not None
    row = session.get(MonitoringCredential, device.id)
    if row is None:
        return CredentialStatus(device_id=device.id, set=False)
    version = json.loads(key.decrypt(row.ciphertext.encode()))["version"]
    return CredentialStatus(device_id=device.id, set=True, version=version, last_changed=row.changed_at,
                            due_for_rotation=_due(row.changed_at, rotation_days=rotation_days, now=datetime.now(UTC)))


def due_for_rotation(*, session: Session, device_ids: list[int] | None, rotation_days: int,
                     now: datetime | None = None) -> list[CredentialStatus]:
    """Credentials unchanged for ``rotation_days`` or more (of ``device_ids``; None: every device)."""
    now = now or datetime.now(UTC)
    stmt = select(MonitoringCredential).order_by(col(MonitoringCredential.changed_at))
    if device_ids is not None:
        stmt = stmt.where(col(MonitoringCredential.device_id).in_(device_ids))
    return [
        CredentialStatus(device_id=r.device_id, set=True, last_changed=r.changed_at, due_for_rotation=True)
        for r in session.exec(stmt)
        if _due(r.changed_at, rotation_days=rotation_days, now=now)
    ]


def credentials_for(*, session: Session, device_id: int, key: Fernet | None = None) -> Credentials | None:
    """The decrypted credentials of ``device_id`` for the poller (in-process only), or None."""
    row = session.get(MonitoringCredential, device_id)
    if row is None:
        return None
    if key is None:
        from services.devices.settings import DevicesSettings

        key = cipher(DevicesSettings())
    try:
        values = json.loads(key.decrypt(row.ciphertext.encode()))
    except InvalidToken:
        return None  # stored under another key: the operator must set them again
    return Credentials(version=SnmpVersion(values["version"]), community=values["community"],
                       user=values["user"], auth_key=values["auth_key"], priv_key=values["priv_key"])
