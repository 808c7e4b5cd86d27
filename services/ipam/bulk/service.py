"""NetBox-compatible CSV import and export of prefixes.

Columns: ``prefix, vrf, status, tenant, role, description`` (NetBox names; tenant -> agency,
role -> service, both by code or name) plus the optional ``kind`` and ``purpose``. The import is
all-or-nothing: every row is checked (CIDR, references, N7 rules, nesting against the database
and the file itself) before anything is written, and every bad row is reported with its line.
Writes are bulk statements, one per chunk, so 100,000 rows import in seconds.
"""

from __future__ import annotations

import bisect
import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from services.ipam import access
from services.ipam.access import Scope
from services.ipam.addressing import netmath
from services.ipam.addressing.models import IpAddress, Prefix, PrefixKind, PrefixStatus, Vrf
from services.ipam.addressing.prefixes import lock_vrf, rehome_ranges
from services.ipam.base import utcnow
from services.ipam.bulk.inserts import (
    ADDRESS_TABLE,
    CHANGE_LOG_TABLE,
    PREFIX_TABLE,
    fast_insert,
    reserve_ids,
    set_column_by_id,
)
from services.ipam.bulk.schemas import ImportResult
from services.ipam.changelog.models import ChangeAction
from services.ipam.organisation.models import Agency, NetworkService
from services.ipam.outbox import PREFIX_ALLOCATED, outbox
from services.ipam.rows import id_eq
from shared.auth import Principal
from shared.errors import InvalidInput
from shared.observability import request_id_var
from shared.types import CONTROL

COLUMNS = ["prefix", "vrf", "status", "tenant", "role", "description", "kind", "purpose"]
STATUSES = {s.value for s in PrefixStatus}
KINDS = {k.value for k in PrefixKind}


@dataclass
class _Node:
    first: int
    last: int
    length: int
    kind: PrefixKind
    line: int | None = None  # None: already in the database
    db_id: int | None = None
    row: dict[str, Any] = field(default_factory=dict)
    parent: _Node | None = None
    depth: int = 0


def csv_rows(reader: csv.DictReader[str]) -> Iterator[dict[str | Any, str | Any]]:
    """The reader's rows; a file the csv module cannot read (a field beyond its size limit) is a 422, not a 500."""
    try:
        yield from reader
    except csv.Error as exc:
        raise InvalidInput(f"The CSV cannot be read ({exc}); check its quoting and field sizes.") from None


def _index(session: Session, model: type[Agency] | type[NetworkService]) -> dict[str, int]:
    out: dict[str, int] = {}
    for obj_id, code, name in session.execute(select(col(model.id), col(model.code), col(model.name))):
        out[str(name).strip().casefold()] = obj_id
        out[str(code).strip().casefold()] = obj_id
    return out


def import_prefixes_csv(*, session: Session, principal: Principal, text: str, max_rows: int) -> ImportResult:
    """Validate every row, then create all prefixes in bulk, or none (422 with row-level errors).

    A non-administrator imports only its own agency's prefixes, inside a prefix of its agency."""
    scope = access.scope_of(session=session, principal=principal)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "prefix" not in header:
        raise InvalidInput("The CSV needs a header row with at least a 'prefix' column (NetBox columns: " + ", ".join(COLUMNS) + ").")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise InvalidInput(f"Unknown column(s) {', '.join(unknown)}; accepted: {', '.join(COLUMNS)}.")
    reader.fieldnames = header
    vrfs = {str(n).casefold(): i for i, n in session.execute(select(col(Vrf.id), col(Vrf.name)))}
    agencies, services = _index(session, Agency), _index(session, NetworkService)
    errors: list[dict[str, Any]] = []
    nodes: dict[tuple[int, int], list[_Node]] = defaultdict(list)
    count = 0

    def err(line: int, fld: str, message: str) -> None:
        errors.append({"row": line, "field": fld, "message": message})

    for line, raw in enumerate(csv_rows(reader), start=2):
        count += 1
        if count > max_rows:
            raise InvalidInput(f"The file has more than {max_rows} rows; split it into smaller files.")
        row = {k: (v or "").strip() if isinstance(v, str) else "" for k, v in raw.items() if k is not None}
        bad = next(((k, m.group()) for k, v in row.items() if (m := CONTROL.search(v))), None)
        if bad is not None:
            err(line, bad[0], f"control character U+{ord(bad[1]):04X} is not allowed; remove it.")
            continue
        try:
            net = netmath.parse_prefix(row.get("prefix", ""))
        except InvalidInput as exc:
            err(line, "prefix", exc.detail)
            continue
        vrf_name = row.get("vrf", "")
        vrf_id = vrfs.get(vrf_name.casefold()) if vrf_name else None
        if vrf_name and vrf_id is None:
            err(line, "vrf", f"VRF '{vrf_name}' does not exist; create it first or leave the column empty for the global table.")
            continue
        status = (row.get("status") or "active").lower()
        kind = (row.get("kind") or "").lower()
        if status == "container":
            status, kind = "active", kind or "container"
        if status not in STATUSES:
            err(line, "status", f"Unknown status '{status}'; use container, active, reserved or deprecated.")
            continue
        tenant, role = row.get("tenant", ""), row.get("role", "")
        agency_id = agencies.get(tenant.casefold()) if tenant else None
        service_id = services.get(role.casefold()) if role else None
        if tenant and agency_id is None:
            err(line, "tenant", f"Agency '{tenant}' is not known (by code or name); create it first.")
            continue
        if role and service_id is None:
            err(line, "role", f"Service '{role}' is not in the catalogue (by code or name); add it first.")
            continue
        if not scope.everything and not scope.owns_agency(agency_id):
            err(line, "tenant", f"Agency '{tenant}' is not your agency; you may only import your own agency's prefixes." if tenant
                else "Name your agency (tenant); only the department (ipam:admin) imports prefixes of no agency.")
            continue
        kind = kind or ("allocation" if agency_id else "pool")
        if kind not in KINDS:
            err(line, "kind", f"Unknown kind '{kind}'; use container, pool or allocation.")
            continue
        prefix_kind = PrefixKind(kind)
        purpose = row.get("purpose") or row.get("description", "")
        if prefix_kind == PrefixKind.allocation:
            missing = [n for n, v in (("tenant", agency_id), ("role", service_id), ("purpose", purpose)) if not v]
            if missing:
                err(line, missing[0], f"An allocation must name the agency (tenant), the service (role) and a purpose (purpose or description); missing: {', '.join(missing)}.")
                continue
        vrf_key = vrf_id or 0
        nodes[(vrf_key, net.family)].append(
            _Node(net.first, net.last, net.length, prefix_kind, line=line, row={
                "prefix": net.cidr, "vrf_id": vrf_id, "vrf_key": vrf_key, "family": net.family, "prefix_length": net.length,
                "first_hex": net.first_hex, "last_hex": net.last_hex, "size": float(net.size), "kind": prefix_kind, "status": PrefixStatus(status),
                "agency_id": agency_id, "service_id": service_id, "purpose": purpose, "description": row.get("description", ""),
            })
        )
    if errors:
        raise InvalidInput(f"{len(errors)} row(s) have errors; nothing was imported. Fix them and send the whole file again.", errors=errors[:1000])
    reparent_existing: list[tuple[int, _Node]] = []
    for (vrf_key, family), new_nodes in nodes.items():
        lock_vrf(session=session, vrf_key=vrf_key)
        existing = [
            _Node(netmath.from_hex(f), netmath.from_hex(last), length, kind, db_id=pid)
            for pid, f, last, length, kind in session.execute(
                select(col(Prefix.id), col(Prefix.first_hex), col(Prefix.last_hex), col(Prefix.prefix_length), col(Prefix.kind))
                .where(col(Prefix.vrf_key) == vrf_key, col(Prefix.family) == family)
            )
        ]
        _sweep(sorted(existing + new_nodes, key=lambda n: (n.first, n.length)), errors, reparent_existing)
        if not scope.everything:
            _check_inside_own(session, scope, vrf_key, family, new_nodes, errors)
    if errors:
        errors.sort(key=lambda e: e["row"])
        raise InvalidInput(f"{len(errors)} row(s) break the no-overlap rules; nothing was imported.", errors=errors[:1000])
    all_new = [n for group in nodes.values() for n in group]
    # ids are known before inserting, so parents and children go in one pass (parents sort first)
    for node, new_id in zip(all_new, reserve_ids(session=session, table="prefix", n=len(all_new)), strict=True):
        node.db_id = new_id
    now = utcnow()
    fast_insert(session=session, table=PREFIX_TABLE, rows=[
        {**n.row, "id": n.db_id, "parent_id": n.parent.db_id if n.parent else None, "created_at": now, "updated_at": now}
        for n in sorted(all_new, key=lambda n: (n.row["vrf_key"], n.row["family"], n.first, n.length))
    ])
    if reparent_existing:
        set_column_by_id(session=session, table=PREFIX_TABLE, column="parent_id", pairs=[(db_id, node.db_id) for db_id, node in reparent_existing])
    _rehome_addresses(session, all_new)
    for (vrf_key, family), group in nodes.items():  # ranges are few: recompute the holder of those the new prefixes reach
        rehome_ranges(session=session, vrf_key=vrf_key, family=family, first_hex=netmath.to_hex(min(n.first for n in group)),
                      last_hex=netmath.to_hex(max(n.last for n in group)))
    _log_and_emit(session, principal, all_new)
    return ImportResult(created=len(all_new), rows=count)


def _check_inside_own(session: Session, scope: Scope, vrf_key: int, family: int, new: list[_Node], errors: list[dict[str, Any]]) -> None:
    """Every new row must lie inside an existing prefix of the caller's agencies (a non-administrator's import)."""
    owned = sorted(
        (netmath.from_hex(f), netmath.from_hex(last))
        for f, last in session.execute(
            select(col(Prefix.first_hex), col(Prefix.last_hex)).where(
                col(Prefix.vrf_key) == vrf_key, col(Prefix.family) == family, col(Prefix.agency_id).in_(sorted(scope.agencies or ()))
            )
        )
    )
    # prefixes nest or are disjoint: keep the outermost ones, then one bisect finds the candidate
    outer: list[tuple[int, int]] = []
    for first, last in owned:
        if not outer or first > outer[-1][1]:
            outer.append((first, last))
    starts = [f for f, _ in outer]
    for node in new:
        k = bisect.bisect_right(starts, node.first) - 1
        if k < 0 or outer[k][1] < node.last:
            errors.append({"row": node.line, "field": "prefix", "message": f"{node.row['prefix']} is not inside a prefix of your agency."})


def _sweep(ordered: list[_Node], errors: list[dict[str, Any]], reparent_existing: list[tuple[int, _Node]]) -> None:
    """One pass over a VRF's prefixes in (first, length) order: parents by a stack, N7 checks."""
    stack: list[_Node] = []
    for node in ordered:
        while stack and stack[-1].last < node.first:
            stack.pop()
        parent = stack[-1] if stack else None
        if node.line is not None:
            cidr = node.row["prefix"]
            if parent is not None and parent.first == node.first and parent.length == node.length:
                errors.append({"row": node.line, "field": "prefix", "message": f"{cidr} is a duplicate" + (f" of line {parent.line}" if parent.line else " of an existing prefix")})
                continue
            if parent is not None and parent.kind == PrefixKind.allocation:
                where = f"line {parent.line}" if parent.line else f"existing prefix {parent.db_id}"
                errors.append({"row": node.line, "field": "prefix", "message": f"{cidr} overlaps the allocation on {where}; allocations must not overlap."})
                continue
            if node.kind == PrefixKind.allocation and parent is None:
                errors.append({"row": node.line, "field": "prefix", "message": f"{cidr} is not inside any pool or container; add the pool first (earlier or in the same file)."})
                continue
        elif parent is not None and parent.line is not None:
            if node.kind == PrefixKind.allocation or parent.kind == PrefixKind.allocation:
                errors.append({"row": parent.line, "field": "prefix", "message": f"{parent.row['prefix']} would contain existing prefix {node.db_id}, which breaks the no-overlap rule for allocations."})
            else:
                reparent_existing.append((node.db_id or 0, parent))
        node.parent = parent
        node.depth = parent.depth + 1 if parent is not None and parent.line is not None else 0
        stack.append(node)


def _rehome_addresses(session: Session, new: list[_Node]) -> None:
    """Move existing addresses under the innermost new prefix that contains them, in one sorted sweep."""
    groups: dict[tuple[int, int], list[_Node]] = defaultdict(list)
    for n in new:
        groups[(n.row["vrf_key"], n.row["family"])].append(n)
    moves: list[tuple[int, int | None]] = []
    for (vrf_key, family), nodes in groups.items():
        nodes.sort(key=lambda n: (n.first, n.length))
        lo, hi = netmath.to_hex(nodes[0].first), netmath.to_hex(max(n.last for n in nodes))
        rows = session.execute(
            select(col(IpAddress.id), col(IpAddress.value_hex), col(Prefix.prefix_length))
            .select_from(IpAddress).outerjoin(Prefix, col(IpAddress.prefix_id) == col(Prefix.id))
            .where(col(IpAddress.vrf_key) == vrf_key, col(IpAddress.family) == family, col(IpAddress.value_hex) >= lo, col(IpAddress.value_hex) <= hi)
            .order_by(col(IpAddress.value_hex))
        ).all()
        stack: list[_Node] = []
        i = 0
        for address_id, value_hex, current_length in rows:
            value = netmath.from_hex(value_hex)
            while i < len(nodes) and nodes[i].first <= value:
                while stack and stack[-1].last < nodes[i].first:
                    stack.pop()
                stack.append(nodes[i])
                i += 1
            while stack and stack[-1].last < value:
                stack.pop()
            if stack and (current_length is None or stack[-1].length > current_length):
                moves.append((int(address_id), stack[-1].db_id))
    if moves:
        set_column_by_id(session=session, table=ADDRESS_TABLE, column="prefix_id", pairs=moves)


def _log_and_emit(session: Session, principal: Principal, new: list[_Node]) -> None:
    """One change-log row per new prefix (bulk), and an allocated event per new allocation (through the outbox)."""
    now = utcnow()
    request_id = request_id_var.get()
    log_rows = []
    for n in new:
        after = {**n.row, "id": n.db_id, "parent_id": n.parent.db_id if n.parent else None}
        log_rows.append({
            "time": now, "actor": principal.sub, "request_id": request_id, "action": ChangeAction.create, "object_type": "prefix",
            "object_id": n.db_id, "object_repr": n.row["prefix"], "before": None, "after": after,
        })
        if n.kind == PrefixKind.allocation:
            outbox.emit(session, PREFIX_ALLOCATED, subject=n.db_id or 0, data={
                "prefix_id": n.db_id, "prefix": n.row["prefix"], "vrf_id": n.row["vrf_id"], "family": n.row["family"], "kind": n.kind,
                "agency_id": n.row["agency_id"], "service_id": n.row["service_id"], "purpose": n.row["purpose"], "imported": True,
            })
    log_ids = reserve_ids(session=session, table="change_log", n=len(log_rows))
    fast_insert(session=session, table=CHANGE_LOG_TABLE, rows=[{**r, "id": i} for r, i in zip(log_rows, log_ids, strict=True)])


def export_prefixes_csv(*, session: Session, principal: Principal, vrf_id: int | None) -> str:
    """All prefixes the caller may see (or one VRF's) in the import's CSV format."""
    vrfs = {i: n for i, n in session.execute(select(col(Vrf.id), col(Vrf.name)))}
    agencies = {i: c for i, c in session.execute(select(col(Agency.id), col(Agency.code)))}
    services = {i: c for i, c in session.execute(select(col(NetworkService.id), col(NetworkService.code)))}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    stmt = select(
        col(Prefix.prefix), col(Prefix.vrf_id), col(Prefix.status), col(Prefix.agency_id), col(Prefix.service_id), col(Prefix.description),
        col(Prefix.kind), col(Prefix.purpose),
    )
    if vrf_id is not None:
        stmt = stmt.where(id_eq(Prefix.vrf_key, vrf_id))
    stmt = access.readable(stmt, Prefix, access.scope_of(session=session, principal=principal)).order_by(
        col(Prefix.vrf_key), col(Prefix.family), col(Prefix.first_hex), col(Prefix.prefix_length)
    )
    for prefix, v, status, a, s, desc, kind, purpose in session.execute(stmt):
        writer.writerow([
            prefix, vrfs.get(v, "") if v else "", "container" if kind == "container" else status,
            agencies.get(a, "") if a else "", services.get(s, "") if s else "", desc, kind, purpose,
        ])
    return out.getvalue()
