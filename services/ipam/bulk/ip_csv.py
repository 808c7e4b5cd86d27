"""NetBox-compatible CSV import and export of IP addresses and IP ranges.

Addresses: ``address, vrf, status, role, dns_name, description, assigned_object_type,
assigned_object_id`` (``address`` with its mask, as NetBox writes it: 10.1.2.5/24). Ranges:
``start_address, end_address, vrf, status, description, mark_populated, mark_utilized``. Only the
address columns are required. The import is all or nothing: each row goes through the same service
function as a single create (so the one-owner, shared-role, no-overlap and object-level rules are
the same), in a SAVEPOINT, and every bad row is reported with its line; one bad row and nothing is
kept. Rows are written one by one: these files are hundreds of rows, not the 100,000 of prefixes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlmodel import Session, col

from services.ipam import access
from services.ipam.addressing.addresses import create_address
from services.ipam.addressing.models import IpAddress, IpRange, Vrf
from services.ipam.addressing.ranges import create_range
from services.ipam.addressing.schemas import AddressCreate, RangeCreate
from services.ipam.bulk.schemas import ImportResult
from services.ipam.bulk.service import csv_rows
from services.ipam.rows import id_eq
from shared.auth import Principal
from shared.errors import DomainError, InvalidInput
from shared.types import CONTROL

ADDRESS_COLUMNS = ["address", "vrf", "status", "role", "dns_name", "description", "assigned_object_type", "assigned_object_id"]
RANGE_COLUMNS = ["start_address", "end_address", "vrf", "status", "description", "mark_populated", "mark_utilized"]
B = TypeVar("B", bound=BaseModel)
_TRUE, _FALSE = {"true", "1", "yes", "y", "x"}, {"false", "0", "no", "n", ""}


def _rows(text: str, columns: list[str], required: list[str], max_rows: int) -> list[tuple[int, dict[str, str]]]:
    """(line, row) of every data row, after checking the header and the size."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not set(required) <= set(header):
        raise InvalidInput(f"The CSV needs a header row with at least {', '.join(required)} (NetBox columns: {', '.join(columns)}).")
    unknown = [h for h in header if h not in columns]
    if unknown:
        raise InvalidInput(f"Unknown column(s) {', '.join(unknown)}; accepted: {', '.join(columns)}.")
    reader.fieldnames = header
    out: list[tuple[int, dict[str, str]]] = []
    for line, raw in enumerate(csv_rows(reader), start=2):
        if len(out) >= max_rows:
            raise InvalidInput(f"The file has more than {max_rows} rows; split it into smaller files.")
        out.append((line, {k: (v or "").strip() if isinstance(v, str) else "" for k, v in raw.items() if k is not None}))
    return out


def _import(
    *, session: Session, text: str, columns: list[str], required: list[str], max_rows: int,
    to_body: Callable[[dict[str, Any]], B], create: Callable[[B], object],
) -> ImportResult:
    """Check and create every row, each in a SAVEPOINT; any error and nothing is kept (422 listing them all)."""
    vrfs = {str(n).casefold(): i for i, n in session.execute(select(col(Vrf.id), col(Vrf.name)))}
    errors: list[dict[str, Any]] = []
    rows = _rows(text, columns, required, max_rows)
    for line, row in rows:
        bad = next(((k, m.group()) for k, v in row.items() if (m := CONTROL.search(v))), None)
        if bad is not None:
            errors.append({"row": line, "field": bad[0], "message": f"control character U+{ord(bad[1]):04X} is not allowed; remove it."})
            continue
        vrf_name = row.pop("vrf", "")
        if vrf_name and vrf_name.casefold() not in vrfs:
            errors.append({"row": line, "field": "vrf", "message": f"VRF '{vrf_name}' does not exist; create it first or leave it empty."})
            continue
        fields: dict[str, Any] = {k: v for k, v in row.items() if v != ""}
        fields["vrf_id"] = vrfs.get(vrf_name.casefold()) if vrf_name else None
        try:
            for flag in ("mark_populated", "mark_utilized"):
                if flag in row:
                    value = row[flag].lower()
                    if value not in _TRUE | _FALSE:
                        raise InvalidInput(f"{flag} must be true or false.", errors=[{"field": flag, "message": "true or false"}])
                    fields[flag] = value in _TRUE
            if "status" in fields:
                fields["status"] = fields["status"].lower()
            body = to_body(fields)
            with session.begin_nested():  # a SAVEPOINT: a refused row leaves nothing behind
                create(body)
        except ValidationError as exc:
            errors += [{"row": line, "field": str(e["loc"][0]) if e["loc"] else "", "message": e["msg"]} for e in exc.errors()]
        except DomainError as exc:
            field = (exc.errors or [{}])[0].get("field", "")
            errors.append({"row": line, "field": field, "message": exc.detail})
    if errors:
        raise InvalidInput(f"{len(errors)} row(s) have errors; nothing was imported. Fix them and send the whole file again.", errors=errors[:1000])
    return ImportResult(created=len(rows), rows=len(rows))


def import_addresses_csv(*, session: Session, principal: Principal, text: str, max_rows: int) -> ImportResult:
    """Create every address of a NetBox CSV, or none (422 with row-level errors)."""
    return _import(
        session=session, text=text, columns=ADDRESS_COLUMNS, required=["address"], max_rows=max_rows,
        to_body=AddressCreate.model_validate,
        create=lambda body: create_address(session=session, principal=principal, data=body),
    )


def import_ranges_csv(*, session: Session, principal: Principal, text: str, max_rows: int) -> ImportResult:
    """Create every range of a NetBox CSV, or none (422 with row-level errors)."""
    return _import(
        session=session, text=text, columns=RANGE_COLUMNS, required=["start_address", "end_address"], max_rows=max_rows,
        to_body=RangeCreate.model_validate,
        create=lambda body: create_range(session=session, principal=principal, data=body),
    )


def _writer() -> tuple[io.StringIO, Any]:
    out = io.StringIO()
    return out, csv.writer(out, lineterminator="\n")


def export_addresses_csv(*, session: Session, principal: Principal, vrf_id: int | None) -> str:
    """The addresses the caller may see (or one VRF's), masks included, in the import's CSV format."""
    vrfs = {i: n for i, n in session.execute(select(col(Vrf.id), col(Vrf.name)))}
    out, writer = _writer()
    writer.writerow(ADDRESS_COLUMNS)
    stmt = select(IpAddress)
    if vrf_id is not None:
        stmt = stmt.where(id_eq(IpAddress.vrf_key, vrf_id))
    stmt = access.readable(stmt, IpAddress, access.scope_of(session=session, principal=principal))
    for a in session.execute(stmt.order_by(col(IpAddress.vrf_key), col(IpAddress.family), col(IpAddress.value_hex), col(IpAddress.id))).scalars():
        writer.writerow([
            f"{a.address}/{a.mask_length}", vrfs.get(a.vrf_id, "") if a.vrf_id else "", a.status, a.role or "", a.dns_name, a.description,
            a.assigned_object_type or "", a.assigned_object_id or "",
        ])
    return out.getvalue()


def export_ranges_csv(*, session: Session, principal: Principal, vrf_id: int | None) -> str:
    """The ranges the caller may see (or one VRF's), masks included, in the import's CSV format."""
    vrfs = {i: n for i, n in session.execute(select(col(Vrf.id), col(Vrf.name)))}
    out, writer = _writer()
    writer.writerow(RANGE_COLUMNS)
    stmt = select(IpRange)
    if vrf_id is not None:
        stmt = stmt.where(id_eq(IpRange.vrf_key, vrf_id))
    stmt = access.readable(stmt, IpRange, access.scope_of(session=session, principal=principal))
    for r in session.execute(stmt.order_by(col(IpRange.vrf_key), col(IpRange.family), col(IpRange.start_hex))).scalars():
        writer.writerow([
            f"{r.start_address}/{r.mask_length}", f"{r.end_address}/{r.mask_length}", vrfs.get(r.vrf_id, "") if r.vrf_id else "", r.status,
            r.description, str(r.mark_populated).lower(), str(r.mark_utilized).lower(),
        ])
    return out.getvalue()
