"""Reading information sheets (XLSX or JSON) and standardising them to the basic tier (G2, G6)."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from services.ngo_registry.categories.service import Labels
from services.ngo_registry.records.schemas import AssociationFields
from services.ngo_registry.records.validation import validate_fields
from services.ngo_registry.rules import RuleSet
from services.ngo_registry.submissions.storage import Upload
from services.ngo_registry.text import normalise
from shared.errors import InvalidInput

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


_COLLECTION_SHEETS = {"leaders", "congresses", "members", "state_staff", "funding", "affiliated_units"}


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def read_xlsx(content: bytes) -> dict[str, Any]:
    """An XLSX information sheet as a dict: first sheet key/value rows, one sheet per collection."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        raise InvalidInput(f"The uploaded sheet is not a readable XLSX file ({exc.__class__.__name__}).", errors=[{"field": "sheet", "message": "not an XLSX workbook"}]) from None
    out: dict[str, Any] = {}
    for index, sheet in enumerate(book.worksheets):
        rows = [tuple(_cell(v) for v in row) for row in sheet.iter_rows(values_only=True)]
        rows = [r for r in rows if any(v not in (None, "") for v in r)]
        if index == 0:
            for row in rows:
                if len(row) >= 2 and isinstance(row[0], str) and row[0].strip():
                    key = row[0].strip()
                    if key.lower() in {"field", "trường"}:
                        continue
                    out[key] = row[1]
        elif sheet.title in _COLLECTION_SHEETS and rows:
            header = [str(h).strip() for h in rows[0] if h is not None]
            out[sheet.title] = [{h: v for h, v in zip(header, r, strict=False) if v not in (None, "")} for r in rows[1:]]
    book.close()
    return out


def text_of(upload: Upload) -> str:
    """Searchable text of a file, for the classified-marking check."""
    if upload.filename.lower().endswith(".xlsx") or upload.content_type == XLSX_TYPE:
        try:
            return json.dumps(read_xlsx(upload.content), ensure_ascii=False, default=str)
        except InvalidInput:
            pass
    return upload.content.decode("utf-8", errors="ignore")


_CODE_KEYS = {"name_type": "name_type", "scope": "scope", "field": "field", "managing_agency": "managing_agency", "nature": "nature", "office_origin": "office_origin"}
_LIST_KEYS = {"leaders": ("role", "leader_role"), "congresses": ("kind", "congress_kind"), "members": ("member_type", "member_type"), "funding": ("source", "funding_source"), "affiliated_units": ("kind", "unit_kind")}


def _to_code(value: Any, kind: str, labels: Labels) -> Any:
    if not isinstance(value, str):
        return value
    codes = labels.by_kind.get(kind, {})
    if value in codes:
        return value
    wanted = normalise(value)
    for code, label in codes.items():
        if normalise(label) == wanted or normalise(code) == wanted:
            return code
    return value


def standardise(raw: dict[str, Any], *, labels: Labels, rules: RuleSet, today: date) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Map labels to category codes and validate: ``(standardised, errors)``."""
    data = {k: v for k, v in raw.items() if k != "association_id"}
    for key, kind in _CODE_KEYS.items():
        if key in data:
            data[key] = _to_code(data[key], kind, labels)
    for key, (sub, kind) in _LIST_KEYS.items():
        if isinstance(data.get(key), list):
            data[key] = [{**item, sub: _to_code(item.get(sub), kind, labels)} if isinstance(item, dict) else item for item in data[key]]
    try:
        fields = AssociationFields.model_validate(data)
    except ValidationError as exc:
        return None, [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
    try:
        validate_fields(data=fields, labels=labels, rules=rules, today=today)
    except InvalidInput as exc:
        return fields.model_dump(mode="json", exclude_unset=True), list(exc.errors or [])
    return fields.model_dump(mode="json", exclude_unset=True), []
