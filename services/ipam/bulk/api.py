"""HTTP routes of the bulk paths: CSV import (all or nothing) and export of prefixes.

The import is a plain ``def`` route: FastAPI runs it in its thread pool, so a 200,000-row import
does not stall other requests."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from services.ipam.access import Reader, Writer
from services.ipam.bulk import service
from services.ipam.bulk.schemas import ImportResult
from services.ipam.params import IdQ
from shared.db import SessionDep

router = APIRouter(prefix="/api/v1/ipam", tags=["ipam"])


async def _csv_body(request: Request) -> str:
    """The uploaded CSV text (read on the event loop: awaiting the body does not block it)."""
    return (await request.body()).decode("utf-8-sig", errors="replace")


_CSV_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "NetBox-style CSV, UTF-8 (a BOM is accepted), first line the header. Columns: "
        + ", ".join(service.COLUMNS) + "; only `prefix` is required.",
        "content": {"text/csv": {"schema": {"type": "string"}, "example": "prefix,vrf,status,tenant,role,description\n10.20.0.0/16,,container,,,Khối tỉnh\n"}},
    },
}


@router.post("/import", status_code=201, response_model=ImportResult, openapi_extra=_CSV_BODY_DOC,
             summary="Import prefixes from NetBox-style CSV (all or nothing)")
def import_csv(request: Request, text: Annotated[str, Depends(_csv_body)], session: SessionDep, principal: Writer) -> ImportResult:
    max_rows: int = request.app.state.settings.max_import_rows
    return service.import_prefixes_csv(session=session, principal=principal, text=text, max_rows=max_rows)


@router.get("/export", summary="Export prefixes as NetBox-style CSV", response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The prefixes you may see, as CSV"}})
def export_csv(session: SessionDep, principal: Reader, vrf_id: IdQ = None) -> Response:
    return Response(service.export_prefixes_csv(session=session, principal=principal, vrf_id=vrf_id), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="prefixes.csv"'})
