"""Submissions (G2, G6): raw sheets and files stored as received, standardised, validated and reviewed."""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from services.ngo_registry import service
from services.ngo_registry.events import outbox
from services.ngo_registry.models import Association, RawFile, Submission
from services.ngo_registry.rules import RuleSet
from services.ngo_registry.schemas import AssociationCreate, AssociationFields
from services.ngo_registry.text import find_marking, marking_in_text, normalise
from shared.auth import Principal
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.types import MAX_ID

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Upload:
    """A file as it arrived."""

    filename: str
    content_type: str
    content: bytes


def store_raw(raw_dir: Path, content: bytes) -> str:
    """Write ``content`` once under its SHA-256 (read-only) and return the digest."""
    digest = hashlib.sha256(content).hexdigest()
    path = raw_dir / digest[:2] / digest
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(content)
        os.chmod(tmp, 0o444)
        tmp.replace(path)
    return digest


def raw_path(raw_dir: Path, digest: str) -> Path:
    return raw_dir / digest[:2] / digest


# -- reading sheets ----------------------------------------------------------------------------
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


# -- standardising (basic tier) -----------------------------------------------------------------
_CODE_KEYS = {"name_type": "name_type", "scope": "scope", "field": "field", "managing_agency": "managing_agency", "nature": "nature", "office_origin": "office_origin"}
_LIST_KEYS = {"leaders": ("role", "leader_role"), "congresses": ("kind", "congress_kind"), "members": ("member_type", "member_type"), "funding": ("source", "funding_source"), "affiliated_units": ("kind", "unit_kind")}


def _to_code(value: Any, kind: str, labels: service.Labels) -> Any:
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


def standardise(raw: dict[str, Any], *, labels: service.Labels, rules: RuleSet, today: date) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
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
        service.validate_fields(data=fields, labels=labels, rules=rules, today=today)
    except InvalidInput as exc:
        return fields.model_dump(mode="json", exclude_unset=True), list(exc.errors or [])
    return fields.model_dump(mode="json", exclude_unset=True), []


# -- receiving ---------------------------------------------------------------------------------
def submitter_association(*, session: Session, principal: Principal, requested: int | None) -> int | None:
    """The association a caller submits for: its own (org), or any/new for an administrator."""
    if principal.is_admin("ngo"):
        if requested is not None and service.get_row(session, Association, requested) is None:
            raise NotFound(f"There is no association with id {requested}.")
        return requested
    org = principal.org or ""
    if not (org.isascii() and org.isdigit() and len(org) <= 19) or service.get_row(session, Association, int(org)) is None:
        raise Forbidden("Only an association submits its own information sheet: the token's org must be the association's id.")
    if requested is not None and requested != int(org):
        raise Forbidden("An association submits information about itself only.")
    return int(org)


def receive_submission(
    *, session: Session, principal: Principal, sheet: Upload, attachments: list[Upload], raw_dir: Path, rules: RuleSet, today: date, route: str
) -> Submission:
    """Store the sheet and files as received, standardise them and emit submission.received."""
    is_xlsx = sheet.filename.lower().endswith(".xlsx") or sheet.content_type == XLSX_TYPE
    if is_xlsx:
        payload = read_xlsx(sheet.content)
    else:
        try:
            payload = json.loads(sheet.content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidInput(f"The information sheet is not valid UTF-8 JSON: {exc}.", errors=[{"field": "sheet", "message": "invalid JSON"}]) from None
    if not isinstance(payload, dict):
        raise InvalidInput("The information sheet must be a JSON object.", errors=[{"field": "sheet", "message": "not an object"}])
    # classified content is neither stored nor processed (G1)
    service.refuse_if_classified(session=session, principal=principal, payload=payload, route=route, where="sheet")
    for i, upload in enumerate(attachments):
        marking = marking_in_text(upload.filename) or marking_in_text(text_of(upload))
        if marking is None:
            found = find_marking({"filename": upload.filename})
            marking = found[0] if found else None
        if marking:
            service.audit_classified(session=session, principal=principal, route=route, marking=marking, where=f"files[{i}]:{upload.filename}")
            raise InvalidInput(
                f"The attached file '{upload.filename}' is marked '{marking}'; classified documents must not be stored (Decision 113/QĐ-BNV, Art. 5).",
                errors=[{"field": f"files[{i}]", "message": f"classified marking '{marking}'"}],
                code="classified-information",
            )
    requested = payload.get("association_id")
    if requested is not None and (isinstance(requested, bool) or not isinstance(requested, int) or not 1 <= requested <= MAX_ID):
        raise InvalidInput("association_id must be an id (an integer from 1 to 2^63-1).", errors=[{"field": "association_id", "message": "not an id"}])
    association_id = submitter_association(session=session, principal=principal, requested=requested)
    labels = service.load_labels(session)
    standardised, errors = standardise(payload, labels=labels, rules=rules, today=today)
    digest = store_raw(raw_dir, sheet.content)
    sub = Submission(
        association_id=association_id,
        org=principal.org or "",
        submitted_by=principal.sub,
        format="xlsx" if is_xlsx else "json",
        status="invalid" if errors else "validated",
        raw_sha256=digest,
        standardised=standardised,
        validation_errors=errors,
    )
    session.add(sub)
    session.flush()
    assert sub.id is not None
    session.add(RawFile(submission_id=sub.id, role="payload", filename=sheet.filename[:300], content_type=sheet.content_type[:200], size=len(sheet.content), sha256=digest))
    for upload in attachments:
        file_digest = store_raw(raw_dir, upload.content)
        session.add(RawFile(submission_id=sub.id, role="attachment", filename=upload.filename[:300], content_type=upload.content_type[:200], size=len(upload.content), sha256=file_digest))
    session.flush()
    outbox.emit(session, "govnet.ngo.submission.received.v1", subject=sub.id, data={"id": sub.id, "association_id": association_id, "org": sub.org, "status": sub.status, "sha256": digest, "files": len(attachments)})
    return sub


def submission_dict(*, session: Session, sub: Submission) -> dict[str, Any]:
    files = session.exec(select(RawFile).where(RawFile.submission_id == sub.id).order_by(col(RawFile.id))).all()
    return {
        "id": sub.id,
        "association_id": sub.association_id,
        "org": sub.org,
        "submitted_by": sub.submitted_by,
        "format": sub.format,
        "status": sub.status,
        "raw_sha256": sub.raw_sha256,
        "standardised": sub.standardised,
        "validation_errors": sub.validation_errors,
        "review": {"decision": sub.review_decision, "reason": sub.review_reason, "by": sub.reviewed_by, "at": sub.reviewed_at.isoformat() if sub.reviewed_at else None},
        "files": [{"id": f.id, "role": f.role, "filename": f.filename, "content_type": f.content_type, "size": f.size, "sha256": f.sha256} for f in files],
        "created_at": sub.created_at.isoformat(),
    }


def get_submission(*, session: Session, submission_id: int, principal: Principal) -> Submission:
    """A submission its submitter or an administrator may see."""
    sub = service.get_row(session, Submission, submission_id)
    if sub is None or (not principal.is_admin("ngo") and sub.org != principal.org):
        raise NotFound(f"There is no submission {submission_id} visible to you.")
    return sub


def list_submissions(*, session: Session, principal: Principal, status: str | None, limit: int, offset: int) -> tuple[int, list[Submission]]:
    from sqlalchemy import func

    query = select(Submission)
    if not principal.is_admin("ngo"):
        query = query.where(Submission.org == (principal.org or ""))
    if status:
        query = query.where(Submission.status == status)
    count = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Submission.id).desc()).limit(limit).offset(offset)).all()
    return int(count), list(rows)


def review_submission(
    *, session: Session, submission_id: int, decision: str, reason: str | None, principal: Principal, rules: RuleSet, today: date
) -> Submission:
    """Accept (merge into the record), request correction or reject, and emit submission.reviewed."""
    sub = service.get_row(session, Submission, submission_id)
    if sub is None:
        raise NotFound(f"There is no submission {submission_id}.")
    if sub.status not in ("validated", "invalid"):
        raise Conflict(f"Submission {submission_id} was already reviewed ({sub.status}).")
    if decision in ("reject", "request_correction") and not (reason and reason.strip()):
        raise InvalidInput("Give the association a reason.", errors=[{"field": "reason", "message": "required for this decision"}])
    association_id = sub.association_id
    changed: list[str] = []
    if decision == "accept":
        if sub.status == "invalid" or sub.standardised is None:
            raise Conflict("An invalid submission cannot be accepted; request a correction instead.", errors=sub.validation_errors)
        source = f"submission:{sub.id}"
        if association_id is None:
            try:
                create = AssociationCreate.model_validate(sub.standardised)
            except ValidationError as exc:
                raise Conflict("The submission lacks fields a new record needs; request a correction.", errors=[{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]) from None
            assoc = service.create_association(session=session, data=create, actor=principal.sub, source=source, rules=rules, today=today)
            association_id = assoc.id
            changed = ["*"]
        else:
            patch = AssociationFields.model_validate(sub.standardised)
            _, changed = service.update_association(session=session, association_id=association_id, data=patch, actor=principal.sub, source=source, rules=rules, today=today)
        sub.association_id = association_id
        sub.status = "accepted"
    elif decision == "request_correction":
        sub.status = "correction_requested"
    else:
        sub.status = "rejected"
    sub.review_decision, sub.review_reason = decision, reason
    sub.reviewed_by, sub.reviewed_at = principal.sub, datetime.now(UTC)
    session.add(sub)
    session.flush()
    outbox.emit(session, "govnet.ngo.submission.reviewed.v1", subject=submission_id, data={"id": sub.id, "association_id": association_id, "decision": decision, "reason": reason, "status": sub.status, "changed_fields": changed})
    return sub
