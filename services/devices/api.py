"""HTTP routes of the devices service.

Thin routers: parse, authorise with :mod:`.access`, call :mod:`.service`, map to :mod:`.schemas`.
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/devices", tags=["devices"])
