"""Exports of the audit trail (CSV evidence for an inspector, G9)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from services.gateway.models import AuditRecord
from shared.exports import sheet_safe

AUDIT_COLUMNS = (
    "seq", "occurred_at", "kind", "actor", "org", "grant_id", "client_id", "method", "path",
    "status", "latency_ms", "request_id", "ip", "detail", "prev_hash", "hash",
)


def audit_csv(rows: Iterable[AuditRecord]) -> str:
    """The audit records as CSV (UTF-8 with BOM so spreadsheet tools read Vietnamese right).

    Timestamps stay ISO 8601 (evidence, not a report); formula-like text is neutralised.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(AUDIT_COLUMNS)
    for row in rows:
        writer.writerow([sheet_safe(getattr(row, c)) for c in AUDIT_COLUMNS])
    return out.getvalue()
