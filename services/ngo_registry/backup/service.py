"""Backups (G18, G10): a consistent snapshot of the database plus the raw files, kept N deep.

SQLite is copied with the online backup API (``sqlite3.Connection.backup``), PostgreSQL with
``pg_dump -Fc``. Each backup is a directory ``ngo_registry-<UTC time>`` holding the snapshot,
the raw files and ``manifest.json`` (row counts and a checksum per table). ``restore`` loads a
backup into a database and checks the counts and checksums against the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from services.ngo_registry.models import Base
from shared.db import is_sqlite, make_engine

PREFIX = "ngo_registry-"
#: tables whose content a backup must reproduce exactly
TABLES = sorted(t for t in Base.metadata.tables)


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why."""


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying it."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def table_fingerprints(url: str) -> dict[str, dict[str, Any]]:
    """Row count and SHA-256 of the ordered rows of every table of the service."""
    engine = make_engine(url, pool_size=1)
    out: dict[str, dict[str, Any]] = {}
    try:
        with engine.connect() as conn:
            for name in TABLES:
                table = Base.metadata.tables[name]
                order = list(table.primary_key.columns) or list(table.columns)
                digest = hashlib.sha256()
                count = 0
                for row in conn.execute(sa.select(table).order_by(*order)):
                    digest.update(json.dumps([_canon(v) for v in row], default=str, ensure_ascii=False).encode())
                    count += 1
                out[name] = {"rows": count, "sha256": digest.hexdigest()}
    finally:
        engine.dispose()
    return out


def _canon(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, float):
        return round(value, 6)
    return value


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    removed: list[Path]


def backup(*, database_url: str, raw_dir: Path, backup_dir: Path, keep: int = 8) -> BackupResult:
    """Write a consistent snapshot and the raw files to ``backup_dir``; keep the newest ``keep``."""
    if keep < 1:
        raise BackupError("keep must be at least 1")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backup_dir / f"{PREFIX}{stamp}"
    work = backup_dir / f".{PREFIX}{stamp}.partial"
    work.mkdir(parents=True, exist_ok=False)
    try:
        if is_sqlite(database_url):
            source_path = _sqlite_path(database_url)
            if not source_path.exists():
                raise BackupError(f"no database file at {source_path}")
            snapshot = work / "database.sqlite3"
            src = sqlite3.connect(str(source_path))
            dst = sqlite3.connect(str(snapshot))
            try:
                src.backup(dst)  # the online backup API: consistent while the service writes
            finally:
                dst.close()
                src.close()
            dialect = "sqlite"
        else:
            pg_dump = shutil.which("pg_dump")
            if pg_dump is None:
                raise BackupError("pg_dump is not installed; install the PostgreSQL client")
            snapshot = work / "database.dump"
            conninfo, env = _libpq(database_url)
            done = subprocess.run([pg_dump, "-Fc", "--no-owner", "-f", str(snapshot), "-d", conninfo], env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")
            dialect = "postgresql"
        files: dict[str, str] = {}
        if raw_dir.exists():
            for path in sorted(p for p in raw_dir.rglob("*") if p.is_file()):
                rel = path.relative_to(raw_dir)
                dest = work / "raw" / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)
                files[str(rel)] = _file_digest(dest)
        manifest = {
            "service": "ngo_registry",
            "created_at": datetime.now(UTC).isoformat(),
            "dialect": dialect,
            "snapshot": snapshot.name,
            "snapshot_sha256": _file_digest(snapshot),
            "tables": table_fingerprints(database_url),
            "raw_files": files,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return BackupResult(path=target, manifest=manifest, removed=prune(backup_dir=backup_dir, keep=keep))


def list_backups(backup_dir: Path) -> list[Path]:
    """Complete backups, oldest first."""
    if not backup_dir.exists():
        return []
    return sorted(p for p in backup_dir.iterdir() if p.is_dir() and p.name.startswith(PREFIX) and (p / "manifest.json").exists())


def prune(*, backup_dir: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` backups."""
    existing = list_backups(backup_dir)
    removed = existing[: max(0, len(existing) - keep)]
    for path in removed:
        shutil.rmtree(path)
    return removed


def latest_backup_time(backup_dir: Path) -> datetime | None:
    backups = list_backups(backup_dir)
    if not backups:
        return None
    manifest = json.loads((backups[-1] / "manifest.json").read_text())
    return datetime.fromisoformat(manifest["created_at"])


def restore(*, path: Path, database_url: str, raw_dir: Path) -> dict[str, Any]:
    """Load backup ``path`` into ``database_url`` (replacing its content) and the raw files; verify."""
    manifest_path = path / "manifest.json"
    if not manifest_path.exists():
        raise BackupError(f"{path} is not a backup (no manifest.json)")
    manifest = json.loads(manifest_path.read_text())
    snapshot = path / manifest["snapshot"]
    if _file_digest(snapshot) != manifest["snapshot_sha256"]:
        raise BackupError("the snapshot's checksum does not match the manifest: the backup is damaged")
    target_sqlite = is_sqlite(database_url)
    if manifest["dialect"] == "sqlite":
        if not target_sqlite:
            raise BackupError("a SQLite backup restores into SQLite; use a SQLite --database-url")
        dest_path = _sqlite_path(database_url)
        dest_path.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(str(snapshot))
        dst = sqlite3.connect(str(dest_path))
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    else:
        if target_sqlite:
            raise BackupError("a PostgreSQL backup restores into PostgreSQL; use a postgresql --database-url")
        pg_restore = shutil.which("pg_restore")
        if pg_restore is None:
            raise BackupError("pg_restore is not installed; install the PostgreSQL client")
        conninfo, env = _libpq(database_url)
        done = subprocess.run(
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction", "-d", conninfo, str(snapshot)], env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()[:500]}")
    for rel, digest in manifest.get("raw_files", {}).items():
        source = path / "raw" / rel
        dest = raw_dir / rel
        if dest.exists() and _file_digest(dest) == digest:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest)
    restored = table_fingerprints(database_url)
    mismatches = [t for t, fp in manifest["tables"].items() if restored.get(t) != fp]
    if mismatches:
        raise BackupError(f"restored tables differ from the backup: {', '.join(mismatches)}")
    return {"restored_from": str(path), "tables": restored, "raw_files": len(manifest.get("raw_files", {}))}
