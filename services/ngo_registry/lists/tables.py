"""A list or statistic as a table (Vietnamese title and headings) and its exports: JSON, CSV, XLSX (G14)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from services.ngo_registry.lists.schemas import Column, TableOut
from shared.exports import csv_bytes, vn_date, xlsx_bytes
from shared.pagination import Page, Paging


@dataclass
class Table:
    """A list ready to page and export: Vietnamese title and headings, typed rows."""

    dataset: str
    title: str
    columns: list[tuple[str, str]]  # (key, Vietnamese heading)
    rows: list[dict[str, Any]]
    count: int
    extra: dict[str, Any] | None = None


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def table_out(table: Table, window: Paging) -> TableOut:
    """The table as JSON: one page of its rows (dates as ISO strings), its headings and figures."""
    page = Page[dict[str, Any]].of(window, results=[{k: _json_value(v) for k, v in row.items()} for row in table.rows], count=table.count)
    return TableOut(
        dataset=table.dataset,
        title=table.title,
        generated_on=vn_date(datetime.now(UTC)),
        columns=[Column(key=k, heading=h) for k, h in table.columns],
        count=page.count,
        next=page.next,
        previous=page.previous,
        results=page.results,
        **(table.extra or {}),
    )


def table_csv(table: Table) -> bytes:
    """CSV with a BOM (Excel opens UTF-8 Vietnamese correctly) and Vietnamese headings."""
    return csv_bytes(columns=table.columns, rows=table.rows)


def table_xlsx(table: Table) -> bytes:
    """An XLSX workbook: title, date line, Vietnamese headings, rows."""
    return xlsx_bytes(
        sheet=table.dataset,
        title=table.title,
        columns=table.columns,
        rows=table.rows,
        preamble=[[f"Ngày lập: {vn_date(datetime.now(UTC))}"]],
    )
