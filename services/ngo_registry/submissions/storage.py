"""Files as received (G6): stored once under their SHA-256, read-only, never altered."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Upload:
    """A file as it arrived."""

    filename: str
    content_type: str
    content: bytes


def store_raw(raw_dir: Path, content: bytes) -> str:
    """Write ``content`` once under its SHA-256 (read-only) and return the digest."""
    digest = hashlib.sha256(content).hexdigest()
    path = raw_dir / digest[:2] / digest
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(content)
        os.chmod(tmp, 0o444)
        tmp.replace(path)
    return digest


def raw_path(raw_dir: Path, digest: str) -> Path:
    """Where the file with ``digest`` is stored."""
    return raw_dir / digest[:2] / digest
