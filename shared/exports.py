"""Tables for people: JSON, CSV (UTF-8 with a BOM, so Excel reads Vietnamese) and XLSX.

Reports keep Vietnamese headings and show dates as dd/mm/yyyy in Asia/Ho_Chi_Minh. Text that a
spreadsheet would run as a formula (CSV injection) is neutralised in both file formats, and so is
any control character already stored (openpyxl refuses them, so one bad row would otherwise break
the export for everyone).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.responses import Response

from shared.types import clean_cell

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Columns = Sequence[tuple[str, str]]  # (key, Vietnamese heading)


def today_vn() -> date:
    """Today in Viet Nam."""
    return datetime.now(VN_TZ).date()


def vn_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy in Asia/Ho_Chi_Minh."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(VN_TZ).date()
    return value.strftime("%d/%m/%Y")


def sheet_safe(value: Any) -> Any:
    """Text a spreadsheet would evaluate (=, +, -, @ …) gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def cell_text(value: Any) -> Any:
    """A value as a person reads it in a report cell; stored control characters become U+FFFD."""
    if isinstance(value, str):
        return clean_cell(value)
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, date | datetime):
        return vn_date(value)
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(cell_text(v)) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{cell_text(str(k))}: {cell_text(v)}" for k, v in value.items())
    return value


def csv_bytes(*, columns: Columns, rows: Iterable[dict[str, Any]], preamble: Iterable[Sequence[Any]] = ()) -> bytes:
    """CSV: optional preamble lines, the headings, then the rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for line in preamble:
        writer.writerow([sheet_safe(cell_text(v)) for v in line])
    writer.writerow([cell_text(h) for _, h in columns])
    for row in rows:
        writer.writerow([sheet_safe(cell_text(row.get(k))) for k, _ in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(
    *,
    sheet: str,
    title: str,
    columns: Columns,
    rows: Iterable[dict[str, Any]],
    preamble: Iterable[Sequence[Any]] = (),
) -> bytes:
    """XLSX: the title in bold, optional preamble lines, bold headings, then the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet[:31]

    def append(values: Sequence[Any]) -> None:
        ws.append([cell_text(v) for v in values])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula

    append([title])
    ws["A1"].font = Font(bold=True, size=13)
    for line in preamble:
        append(line)
    append([h for _, h in columns])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        append([row.get(k) for k, _ in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def attachment(content: bytes, *, fmt: str, name: str) -> Response:
    """A CSV or XLSX file download."""
    media_type = CSV_MEDIA_TYPE if fmt == "csv" else XLSX_MEDIA_TYPE
    return Response(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
