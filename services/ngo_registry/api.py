"""HTTP routes of the ngo_registry service."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/ngo", tags=["ngo"])
