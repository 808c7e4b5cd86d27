"""Report files people open in Excel: Vietnamese dates, headings, and no formula injection."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from shared.exports import cell_text, csv_bytes, vn_date, xlsx_bytes

COLUMNS = [("name", "Tên hội"), ("founded", "Ngày thành lập"), ("special", "Đặc thù")]
ROWS = [
    {"name": "=HYPERLINK(\"http://x\",\"bấm\")", "founded": date(2020, 3, 9), "special": True},
    {"name": "Hội Chữ thập đỏ", "founded": datetime(2024, 12, 31, 20, 0, tzinfo=UTC), "special": False},
]


def test_dates_are_day_month_year_in_viet_nam_time() -> None:
    # 20:00 UTC on 31/12 is already 01/01 in Ho Chi Minh City (UTC+7)
    assert vn_date(datetime(2024, 12, 31, 20, 0, tzinfo=UTC)) == "01/01/2025"
    assert cell_text(date(2020, 3, 9)) == "09/03/2020"
    assert cell_text(True) == "Có" and cell_text(None) == ""


def test_csv_has_bom_vietnamese_headings_and_neutralised_formulas() -> None:
    text = csv_bytes(columns=COLUMNS, rows=ROWS).decode("utf-8")
    assert text.startswith("\ufeffTên hội,Ngày thành lập,Đặc thù\n")
    lines = text.splitlines()
    assert lines[1].startswith('"\'=HYPERLINK(')  # shown as text, never run
    assert lines[2] == "Hội Chữ thập đỏ,01/01/2025,Không"


def test_xlsx_keeps_formula_like_text_as_text() -> None:
    book = load_workbook(io.BytesIO(xlsx_bytes(sheet="hoi", title="Danh sách hội", columns=COLUMNS, rows=ROWS)))
    ws = book.active
    assert ws is not None
    assert ws["A1"].value == "Danh sách hội"
    assert [c.value for c in ws[2]] == ["Tên hội", "Ngày thành lập", "Đặc thù"]
    assert ws["A3"].data_type == "s" and ws["A3"].value.startswith("=HYPERLINK")
    assert ws["B3"].value == "09/03/2020"


def test_hardening_5_stored_control_character_does_not_break_exports() -> None:
    # a row stored before input was checked: BEL in a name, ESC in a list, CR in a dict value
    rows = [
        {"name": "Hội\u0007 bảo trợ", "founded": date(2020, 3, 9), "special": ["a\u001bb", "c"]},
        {"name": "\rcmd", "founded": None, "special": {"k\u0000": "v\u0085"}},
    ]
    book = load_workbook(io.BytesIO(xlsx_bytes(sheet="hoi", title="Danh\u0007 sách", columns=COLUMNS, rows=rows)))
    ws = book.active
    assert ws is not None
    assert ws["A1"].value == "Danh\ufffd sách"
    assert ws["A3"].value == "Hội\ufffd bảo trợ"
    assert ws["C3"].value == "a\ufffdb; c"
    assert ws["C4"].value == "k\ufffd: v\ufffd"
    text = csv_bytes(columns=COLUMNS, rows=rows).decode("utf-8")
    assert "\u0007" not in text and "\r" not in text and "\u001b" not in text
    lines = text.split("\n")
    assert lines[1] == "Hội\ufffd bảo trợ,09/03/2020,a\ufffdb; c"
    assert lines[2].startswith("\ufffdcmd,,")
