"""HTTP routes of the bulk paths: CSV import (all or nothing) and export of prefixes.

The import is a plain ``def`` route: FastAPI runs it in its thread pool, so a 200,000-row import
does not stall other requests."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from services.ipam.access import Reader, Writer
from services.ipam.bulk import ip_csv, service
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


def _csv_doc(columns: list[str], example: str) -> dict[str, Any]:
    return {"requestBody": {"required": True, "description": "NetBox CSV, UTF-8 (a BOM is accepted), first line the header. Columns: "
            + ", ".join(columns) + ".", "content": {"text/csv": {"schema": {"type": "string"}, "example": example}}}}


_CSV_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"}}


@router.post("/import/ip-addresses", status_code=201, response_model=ImportResult, summary="Import IP addresses from NetBox CSV (all or nothing)",
             openapi_extra=_csv_doc(ip_csv.ADDRESS_COLUMNS, "address,vrf,status,role,dns_name\n10.20.1.1/24,,active,vrrp,gw.angiang.gov.vn\n"))
def import_addresses(request: Request, text: Annotated[str, Depends(_csv_body)], session: SessionDep, principal: Writer) -> ImportResult:
    return ip_csv.import_addresses_csv(session=session, principal=principal, text=text, max_rows=request.app.state.settings.max_import_rows)


@router.get("/export/ip-addresses", summary="Export IP addresses (with masks) as NetBox CSV", response_class=Response, responses=_CSV_RESPONSE)
def export_addresses(session: SessionDep, principal: Reader, vrf_id: IdQ = None) -> Response:
    return Response(ip_csv.export_addresses_csv(session=session, principal=principal, vrf_id=vrf_id), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="ip-addresses.csv"'})


@router.post("/import/ip-ranges", status_code=201, response_model=ImportResult, summary="Import IP ranges from NetBox CSV (all or nothing)",
             openapi_extra=_csv_doc(ip_csv.RANGE_COLUMNS, "start_address,end_address,status,mark_populated\n10.20.1.100/24,10.20.1.199/24,active,true\n"))
def import_ranges(request: Request, text: Annotated[str, Depends(_csv_body)], session: SessionDep, principal: Writer) -> ImportResult:
    return ip_csv.import_ranges_csv(session=session, principal=principal, text=text, max_rows=request.app.state.settings.max_import_rows)


@router.get("/export/ip-ranges", summary="Export IP ranges as NetBox CSV", response_class=Response, responses=_CSV_RESPONSE)
def export_ranges(session: SessionDep, principal: Reader, vrf_id: IdQ = None) -> Response:
    return Response(ip_csv.export_ranges_csv(session=session, principal=principal, vrf_id=vrf_id), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="ip-ranges.csv"'})
