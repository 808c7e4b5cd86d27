"""HTTP routes of the devices service.

Thin routers: parse, authorise with :mod:`.access`, call :mod:`.service`, map to :mod:`.schemas`.
Each domain subpackage has its own prefix-less ``APIRouter``; include it here, one line each.
"""

from __future__ import annotations

from fastapi import APIRouter

from services.devices.inventory import api as inventory_api
from services.devices.inventory import checks_api as inventory_checks_api
from services.devices.inventory import report as inventory_report
from services.devices.syslog import api as syslog_api
from services.devices.telemetry import api as telemetry_api

router = APIRouter(prefix="/api/v1/devices", tags=["devices"])
router.include_router(inventory_api.router)
router.include_router(inventory_checks_api.router)
router.include_router(inventory_report.router)
router.include_router(syslog_api.router)
router.include_router(telemetry_api.router)
