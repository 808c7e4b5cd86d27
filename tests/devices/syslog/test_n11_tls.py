"""N11: syslog over TLS (RFC 5425) when a certificate is configured."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support import free_test_port, wait_until


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "syslog.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("syslog.test")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def test_n11_tls_listener_takes_octet_counted_frames(
    db_url: str, make_client: Any, keys: Any, tmp_path: Path
) -> None:
    cert, key = _self_signed(tmp_path)
    tls_port = free_test_port()
    client = make_client(
        "devices",
        db_url,
        syslog_enabled=True,
        syslog_port=free_test_port(),
        syslog_tls_port=tls_port,
        syslog_tls_cert=str(cert),
        syslog_tls_key=str(key),
    )
    client.headers.update(keys.headers("devices:read devices:admin"))
    ctx = ssl.create_default_context(cafile=str(cert))
    msg = "<34>1 2026-01-02T09:00:00+07:00 fw1 sshd - - - Cảnh báo đăng nhập thất bại".encode()
    with (
        socket.create_connection(("127.0.0.1", tls_port)) as raw,
        ctx.wrap_socket(raw, server_hostname="syslog.test") as s,
    ):
        s.sendall(str(len(msg)).encode() + b" " + msg)
    page = wait_until(lambda: (p := client.get("/api/v1/devices/syslog").json())["count"] == 1 and p)
    row = page["results"][0]
    assert (row["transport"], row["hostname"], row["message"]) == (
        "tls",
        "fw1",
        "Cảnh báo đăng nhập thất bại",
    )
    # a plaintext client on the TLS port stores nothing and does not stop the listener
    with socket.create_connection(("127.0.0.1", tls_port)) as plain:
        plain.sendall(b"<13>plaintext\n")
    with (
        socket.create_connection(("127.0.0.1", tls_port)) as raw,
        ctx.wrap_socket(raw, server_hostname="syslog.test") as s,
    ):
        s.sendall(b"<13>1 - fw1 app - - - second\n")
    wait_until(lambda: client.get("/api/v1/devices/syslog").json()["count"] == 2)
