"""HTTP routes of the devices service."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/devices", tags=["devices"])
