"""Routes of submissions (G2, G6): an association sends its sheet; the NGO Department reviews it."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlmodel import Session

from services.ngo_registry.access import (
    Admin,
    CurrentSubmission,
    Submitter,
    SubmitterOrAdmin,
    readable_submission,
)
from services.ngo_registry.database import get_row
from services.ngo_registry.dependencies import Settings, Word
from services.ngo_registry.submissions import service
from services.ngo_registry.submissions.models import RawFile, ReviewDecision
from services.ngo_registry.submissions.schemas import ReviewIn, SubmissionOut
from services.ngo_registry.submissions.storage import Upload, raw_path
from shared.db import SessionDep
from shared.errors import InvalidInput, NotFound
from shared.exports import today_vn
from shared.pagination import Page, PageParams
from shared.types import Id

router = APIRouter(prefix="/api/v1/ngo", tags=["ngo"])

_SHEET_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The information sheet as a JSON object, stored byte for byte as received.",
        "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True, "description": "Form 1 fields (see AssociationFields); association_id for an administrator's submission"}}},
    }
}


@router.post("/submissions", status_code=201, summary="Submit the information sheet as JSON (stored as received)", openapi_extra=_SHEET_BODY, response_model=SubmissionOut, response_model_exclude_unset=True)
async def submission_create_json(request: Request, principal: Submitter, session: SessionDep, settings: Settings) -> SubmissionOut:
    content = await request.body()
    sheet = Upload("sheet.json", request.headers.get("content-type", "application/json"), content)
    route = request.url.path

    def receive() -> SubmissionOut:
        sub = service.receive_submission(session=session, principal=principal, sheet=sheet, attachments=[], raw_dir=settings.raw_dir, rules=settings.rules, today=today_vn(), route=route)
        return service.submission_out(session=session, sub=sub)

    # parsing, validating and writing the raw file block: off the event loop
    return await run_in_threadpool(receive)


@router.post("/submissions/upload", status_code=201, summary="Submit the sheet (XLSX or JSON file) with attached files", response_model=SubmissionOut, response_model_exclude_unset=True)
def submission_upload(
    request: Request,
    principal: Submitter,
    session: SessionDep,
    settings: Settings,
    sheet: Annotated[UploadFile, File(description="the information sheet: .xlsx or .json")],
    files: Annotated[list[UploadFile] | None, File(description="attached documents")] = None,
) -> SubmissionOut:
    # a plain def: FastAPI runs it in the threadpool, so reading the spooled files, parsing the
    # XLSX and writing the raw files never stall the event loop
    def read(upload: UploadFile, field: str) -> Upload:
        content = upload.file.read(settings.max_upload_bytes + 1)
        if len(content) > settings.max_upload_bytes:
            raise InvalidInput(f"'{upload.filename}' is larger than {settings.max_upload_bytes} bytes.", errors=[{"field": field, "message": "too large"}])
        return Upload(upload.filename or field, upload.content_type or "application/octet-stream", content)

    main = read(sheet, "sheet")
    attached = [read(f, f"files[{i}]") for i, f in enumerate(files or [])]
    sub = service.receive_submission(session=session, principal=principal, sheet=main, attachments=attached, raw_dir=settings.raw_dir, rules=settings.rules, today=today_vn(), route=request.url.path)
    return service.submission_out(session=session, sub=sub)


@router.get("/submissions", summary="Submissions (administrators: all; an association: its own)", response_model=Page[SubmissionOut], response_model_exclude_unset=True)
def submission_list(principal: SubmitterOrAdmin, session: SessionDep, paging: PageParams, status: Word | None = None) -> Page[SubmissionOut]:
    count, rows = service.list_submissions(session=session, principal=principal, status=status, limit=paging.limit, offset=paging.offset)
    return Page[SubmissionOut].of(paging, results=[service.submission_out(session=session, sub=s) for s in rows], count=count)


@router.get("/submissions/{submission_id}", summary="One submission", response_model=SubmissionOut, response_model_exclude_unset=True)
def submission_get(sub: CurrentSubmission, session: SessionDep, settings: Settings) -> SubmissionOut:
    # staff see what the name rule would say before they decide (G17)
    warnings = service.pending_name_warnings(session=session, sub=sub, rules=settings.rules)
    return service.submission_out(session=session, sub=sub, warnings=warnings)


@router.get("/submissions/{submission_id}/files/{file_id}", summary="A file exactly as received", response_class=Response, responses={200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}, "description": "the bytes as received (their media type as received is the submission's files[].content_type)"}})
def submission_file(principal: SubmitterOrAdmin, submission_id: Id, file_id: Id, session: SessionDep, settings: Settings) -> Response:
    # both ids are validated before either is looked up (an impossible file id is a 422 even
    # when the submission does not exist), so the submission is loaded here, not by a dependency
    readable_submission(session=session, principal=principal, submission_id=submission_id)
    raw = _raw_file(session, submission_id=submission_id, file_id=file_id)
    content = raw_path(settings.raw_dir, raw.sha256).read_bytes()
    # served as bytes, never as the type the uploader claimed (a stored text/html or a garbled
    # application/json is a download, not a page or a document); the name may be Vietnamese
    return Response(content, media_type="application/octet-stream", headers={"X-Content-SHA256": raw.sha256, "Content-Disposition": _attachment(raw.filename)})


def _raw_file(session: Session, *, submission_id: int, file_id: int) -> RawFile:
    raw = get_row(session, RawFile, file_id)
    if raw is None or raw.submission_id != submission_id:
        raise NotFound(f"Submission {submission_id} has no file {file_id}.")
    return raw


def _attachment(filename: str) -> str:
    """A Content-Disposition for any stored name: an ASCII fallback and the UTF-8 name (RFC 6266)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename) or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.post("/submissions/{submission_id}/review", summary="Accept (merge), request correction or reject with a reason", response_model=SubmissionOut, response_model_exclude_unset=True)
def submission_review(principal: Admin, submission_id: Id, body: ReviewIn, session: SessionDep, settings: Settings) -> SubmissionOut:
    sub, warnings = service.review_submission(session=session, principal=principal, submission_id=submission_id, decision=ReviewDecision(body.decision), reason=body.reason, rules=settings.rules, today=today_vn())
    return service.submission_out(session=session, sub=sub, warnings=warnings)
