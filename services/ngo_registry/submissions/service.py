"""Submissions (G2, G6): sheets and files stored as received, standardised, validated and reviewed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session, col, select

from services.ngo_registry.access import readable_submissions
from services.ngo_registry.categories.service import load_labels
from services.ngo_registry.database import get_row
from services.ngo_registry.events import outbox
from services.ngo_registry.records.classified import audit_classified, refuse_if_classified
from services.ngo_registry.records.models import Association
from services.ngo_registry.records.names import name_preview
from services.ngo_registry.records.schemas import AssociationCreate, AssociationFields, NameWarning
from services.ngo_registry.records.service import create_association, update_association
from services.ngo_registry.rules import RuleSet
from services.ngo_registry.submissions.models import (
    FileRole,
    RawFile,
    ReviewDecision,
    SheetFormat,
    Submission,
    SubmissionStatus,
)
from services.ngo_registry.submissions.schemas import RawFileOut, ReviewOut, SubmissionOut
from services.ngo_registry.submissions.sheets import XLSX_TYPE, read_xlsx, standardise, text_of
from services.ngo_registry.submissions.storage import Upload, store_raw
from services.ngo_registry.text import find_marking, marking_in_text
from shared.auth import Principal
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.types import MAX_ID


def submitter_association(*, session: Session, principal: Principal, requested: int | None) -> int | None:
    """The association a caller submits for: its own (org), or any/new for an administrator."""
    if principal.is_admin("ngo"):
        if requested is not None and get_row(session, Association, requested) is None:
            raise NotFound(f"There is no association with id {requested}.")
        return requested
    org = principal.org or ""
    if not (org.isascii() and org.isdigit() and len(org) <= 19) or get_row(session, Association, int(org)) is None:
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
    refuse_if_classified(session=session, principal=principal, payload=payload, route=route, where="sheet")
    for i, upload in enumerate(attachments):
        marking = marking_in_text(upload.filename) or marking_in_text(text_of(upload))
        if marking is None:
            found = find_marking({"filename": upload.filename})
            marking = found[0] if found else None
        if marking:
            audit_classified(session=session, principal=principal, route=route, marking=marking, where=f"files[{i}]:{upload.filename}")
            raise InvalidInput(
                f"The attached file '{upload.filename}' is marked '{marking}'; classified documents must not be stored (Decision 113/QĐ-BNV, Art. 5).",
                errors=[{"field": f"files[{i}]", "message": f"classified marking '{marking}'"}],
                code="classified-information",
            )
    requested = payload.get("association_id")
    if requested is not None and (isinstance(requested, bool) or not isinstance(requested, int) or not 1 <= requested <= MAX_ID):
        raise InvalidInput("association_id must be an id (an integer from 1 to 2^63-1).", errors=[{"field": "association_id", "message": "not an id"}])
    association_id = submitter_association(session=session, principal=principal, requested=requested)
    labels = load_labels(session=session)
    standardised, errors = standardise(payload, labels=labels, rules=rules, today=today)
    digest = store_raw(raw_dir, sheet.content)
    sub = Submission(
        association_id=association_id,
        org=principal.org or "",
        submitted_by=principal.sub,
        format=SheetFormat.XLSX if is_xlsx else SheetFormat.JSON,
        status=SubmissionStatus.INVALID if errors else SubmissionStatus.VALIDATED,
        raw_sha256=digest,
        standardised=standardised,
        validation_errors=errors,
    )
    session.add(sub)
    session.flush()
    assert sub.id is not None
    session.add(RawFile(submission_id=sub.id, role=FileRole.PAYLOAD, filename=sheet.filename[:300], content_type=sheet.content_type[:200], size=len(sheet.content), sha256=digest))
    for upload in attachments:
        file_digest = store_raw(raw_dir, upload.content)
        session.add(RawFile(submission_id=sub.id, role=FileRole.ATTACHMENT, filename=upload.filename[:300], content_type=upload.content_type[:200], size=len(upload.content), sha256=file_digest))
    session.flush()
    outbox.emit(session, "govnet.ngo.submission.received.v1", subject=sub.id, data={"id": sub.id, "association_id": association_id, "org": sub.org, "status": sub.status, "sha256": digest, "files": len(attachments)})
    return sub


def pending_name_warnings(*, session: Session, sub: Submission, rules: RuleSet) -> list[NameWarning] | None:
    """For a submission awaiting review that names the association: what the name rule would say."""
    name = (sub.standardised or {}).get("name_vi")
    if sub.status not in (SubmissionStatus.VALIDATED, SubmissionStatus.INVALID) or not isinstance(name, str) or not name.strip():
        return None
    if sub.association_id is not None:
        current = get_row(session, Association, sub.association_id)
        if current is not None and current.name_vi == name:
            return None  # not a rename: nothing for the name rule to check
    return name_preview(session=session, name_vi=name, rules=rules, exclude_id=sub.association_id)


def submission_out(*, session: Session, sub: Submission, warnings: list[NameWarning] | None = None) -> SubmissionOut:
    """A submission with its review and files (and name-rule warnings when given), as the API answers it."""
    files = session.exec(select(RawFile).where(RawFile.submission_id == sub.id).order_by(col(RawFile.id))).all()
    return SubmissionOut(
        id=sub.id,
        association_id=sub.association_id,
        org=sub.org,
        submitted_by=sub.submitted_by,
        format=sub.format,
        status=sub.status,
        raw_sha256=sub.raw_sha256,
        standardised=sub.standardised,
        validation_errors=sub.validation_errors,
        review=ReviewOut(decision=sub.review_decision, reason=sub.review_reason, by=sub.reviewed_by, at=sub.reviewed_at.isoformat() if sub.reviewed_at else None),
        files=[RawFileOut(id=f.id, role=f.role, filename=f.filename, content_type=f.content_type, size=f.size, sha256=f.sha256) for f in files],
        created_at=sub.created_at.isoformat(),
        **({"warnings": warnings} if warnings is not None else {}),
    )


def list_submissions(*, session: Session, principal: Principal, status: str | None, limit: int, offset: int) -> tuple[int, list[Submission]]:
    """The submissions the caller may read, newest first, and how many there are."""
    query = readable_submissions(select(Submission), principal)
    if status:
        # a status no submission can have matches nothing (the enum column refuses to bind it)
        known = status in set(SubmissionStatus)
        query = query.where(Submission.status == SubmissionStatus(status) if known else sa.false())
    count = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Submission.id).desc()).limit(limit).offset(offset)).all()
    return int(count), list(rows)


def review_submission(
    *, session: Session, principal: Principal, submission_id: int, decision: ReviewDecision, reason: str | None, rules: RuleSet, today: date
) -> tuple[Submission, list[NameWarning]]:
    """Accept (merge into the record, under the name rule), request correction or reject, and emit submission.reviewed."""
    sub = get_row(session, Submission, submission_id)
    if sub is None:
        raise NotFound(f"There is no submission {submission_id}.")
    if sub.status not in (SubmissionStatus.VALIDATED, SubmissionStatus.INVALID):
        raise Conflict(f"Submission {submission_id} was already reviewed ({sub.status}).")
    if decision in (ReviewDecision.REJECT, ReviewDecision.REQUEST_CORRECTION) and not (reason and reason.strip()):
        raise InvalidInput("Give the association a reason.", errors=[{"field": "reason", "message": "required for this decision"}])
    association_id = sub.association_id
    changed: list[str] = []
    warnings: list[NameWarning] = []
    if decision == ReviewDecision.ACCEPT:
        if sub.status == SubmissionStatus.INVALID or sub.standardised is None:
            raise Conflict("An invalid submission cannot be accepted; request a correction instead.", errors=sub.validation_errors)
        source = f"submission:{sub.id}"
        if association_id is None:
            try:
                create = AssociationCreate.model_validate(sub.standardised)
            except ValidationError as exc:
                raise Conflict("The submission lacks fields a new record needs; request a correction.", errors=[{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]) from None
            created = create_association(session=session, principal=principal, data=create, source=source, rules=rules, today=today)
            association_id, changed, warnings = created.assoc.id, ["*"], created.warnings
        else:
            patch = AssociationFields.model_validate(sub.standardised)
            updated = update_association(session=session, principal=principal, association_id=association_id, data=patch, source=source, rules=rules, today=today)
            changed, warnings = updated.changed, updated.warnings
        sub.association_id = association_id
        sub.status = SubmissionStatus.ACCEPTED
    elif decision == ReviewDecision.REQUEST_CORRECTION:
        sub.status = SubmissionStatus.CORRECTION_REQUESTED
    else:
        sub.status = SubmissionStatus.REJECTED
    sub.review_decision, sub.review_reason = decision, reason
    sub.reviewed_by, sub.reviewed_at = principal.sub, datetime.now(UTC)
    session.add(sub)
    session.flush()
    outbox.emit(session, "govnet.ngo.submission.reviewed.v1", subject=submission_id, data={"id": sub.id, "association_id": association_id, "decision": decision, "reason": reason, "status": sub.status, "changed_fields": changed})
    return sub, warnings
