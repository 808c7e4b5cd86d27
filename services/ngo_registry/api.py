"""HTTP routes of the ngo_registry service (thin: parse, authorise, call the service, shape)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import Field

from services.ngo_registry import fees, reports, service, submissions
from services.ngo_registry.catalog import CATEGORY_KINDS
from services.ngo_registry.models import PartyDocument
from services.ngo_registry.reports import Table
from services.ngo_registry.schemas import (
    AssociationCreate,
    AssociationFields,
    AssociationPage,
    AssociationRecord,
    CategoriesOut,
    CategoryIn,
    CategoryListOut,
    CategoryOut,
    CategoryPatch,
    DocumentIn,
    DocumentOut,
    DocumentPage,
    DocumentPatch,
    FeeRateIn,
    FeeRateOut,
    FeeScheduleOut,
    FeeStatementOut,
    HistoryOut,
    ReportOut,
    ReviewIn,
    RulesOut,
    ScanOut,
    StatusChangeIn,
    StatusChangeResult,
    SubmissionOut,
    SubmissionPage,
    TableOut,
)
from services.ngo_registry.settings import NgoRegistrySettings
from shared.auth import Principal, require_scopes
from shared.db import SessionDep
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.exports import today_vn
from shared.types import MAX_ID, Id, Text
from shared.types import Offset as OffsetInt

router = APIRouter(prefix="/api/v1/ngo", tags=["ngo"])

Admin = Annotated[Principal, require_scopes("ngo:admin")]
Reader = Annotated[Principal, require_scopes("ngo:read:basic", "ngo:read:advanced", "ngo:read:value_added", "ngo:submit", any_of=True)]
ValueAdded = Annotated[Principal, require_scopes("ngo:read:value_added")]
Submitter = Annotated[Principal, require_scopes("ngo:submit")]
#: a code, filter or search text from the query string or path: bounded, no control characters
#: (PostgreSQL refuses NUL in a text parameter, which would otherwise be a 500)
Word = Annotated[Text, Field(max_length=500)]
Limit = Annotated[int, Query(ge=1, le=MAX_ID, description="page size (capped at the server's max_page_size)")]
Offset = Annotated[OffsetInt, Query()]
#: lists and statistics answer JSON, CSV or XLSX as ``format`` asks
TABLE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": TableOut,
        "description": "the table as JSON, or as a CSV or XLSX file with Vietnamese headings",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            submissions.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
Format = Annotated[Literal["json", "csv", "xlsx"], Query(description="json, csv or xlsx (Vietnamese headings)")]


def get_settings(request: Request) -> NgoRegistrySettings:
    settings: NgoRegistrySettings = request.app.state.settings
    return settings


Settings = Annotated[NgoRegistrySettings, Depends(get_settings)]


def _limit(limit: int, settings: NgoRegistrySettings) -> int:
    return min(limit, settings.max_page_size)


def _next(request: Request, *, count: int, limit: int, offset: int) -> str | None:
    if offset + limit >= count:
        return None
    return str(request.url.include_query_params(limit=limit, offset=offset + limit))


def _page(request: Request, *, count: int, limit: int, offset: int, items: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"count": count, "limit": limit, "offset": offset, "next": _next(request, count=count, limit=limit, offset=offset), "items": items, **extra}


def _filter(
    field: Word | None = None,
    managing_agency: Word | None = None,
    nature: Word | None = None,
    scope: Word | None = None,
    name_type: Word | None = None,
    status: Word | None = None,
    special_status: bool | None = None,
) -> service.AssociationFilter:
    return service.AssociationFilter(field, managing_agency, nature, scope, name_type, status, special_status)


Filter = Annotated[service.AssociationFilter, Depends(_filter)]


def _export(request: Request, table: Table, fmt: str, *, limit: int, offset: int) -> Response:
    if fmt == "csv":
        return Response(table_bytes := reports.table_csv(table), media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{table.dataset}.csv"', "Content-Length": str(len(table_bytes))})
    if fmt == "xlsx":
        return Response(reports.table_xlsx(table), media_type=submissions.XLSX_TYPE, headers={"Content-Disposition": f'attachment; filename="{table.dataset}.xlsx"'})
    body = reports.table_json(table)
    body.update({"limit": limit, "offset": offset, "next": _next(request, count=table.count, limit=limit, offset=offset)})
    return JSONResponse(body)


def _value_added(session: Any, principal: Principal, settings: NgoRegistrySettings, table: Table) -> None:
    fees.meter(session=session, principal=principal, dataset=table.dataset, rows=len(table.rows), default_request=settings.fee_per_request_vnd, default_row=settings.fee_per_row_vnd)


# -- public (G15): no token ---------------------------------------------------------------------
@router.get("/public/associations", summary="Public list of associations by field (G14 b, G15)", response_model=AssociationPage, response_model_exclude_unset=True)
def public_associations(request: Request, session: SessionDep, settings: Settings, flt: Filter, q: Word | None = None, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    limit = _limit(limit, settings)
    labels, today = service.load_labels(session), today_vn()
    if q:
        count, hits = service.search_ids(session=session, q=q, flt=flt, limit=limit, offset=offset)
        found = service.associations_by_ids(session=session, ids=[h[0] for h in hits])
        rows = [found[i] for i, _ in hits if i in found]
    else:
        count, rows = service.list_associations(session=session, flt=flt, limit=limit, offset=offset)
    items = [service.filter_tier(service.summary_dict(a, labels, settings.rules, today), service.PUBLIC) for a in rows]
    return _page(request, count=count, limit=limit, offset=offset, items=items)


@router.get("/public/associations/{association_id}", summary="Public general information on one association (G14 a, G15)", response_model=AssociationRecord, response_model_exclude_unset=True)
def public_association(association_id: Id, session: SessionDep, settings: Settings) -> dict[str, Any]:
    assoc = service.get_association(session=session, association_id=association_id)
    record = service.record_dict(session=session, assoc=assoc, labels=service.load_labels(session), rules=settings.rules, today=today_vn())
    return service.filter_tier(record, service.PUBLIC)


# -- categories (G5) ---------------------------------------------------------------------------
@router.get("/categories", summary="Every category list", response_model=CategoriesOut, response_model_exclude_unset=True)
def categories(session: SessionDep) -> dict[str, Any]:
    items = service.list_categories(session=session)
    return {"kinds": [{"kind": k, "label_vi": v} for k, v in CATEGORY_KINDS.items()], "count": len(items), "items": items}


@router.get("/categories/{kind}", summary="One category list", response_model=CategoryListOut, response_model_exclude_unset=True)
def category_list(kind: Word, session: SessionDep) -> dict[str, Any]:
    items = service.list_categories(session=session, kind=kind)
    return {"kind": kind, "label_vi": CATEGORY_KINDS[kind], "count": len(items), "items": items}


@router.post("/categories/{kind}", status_code=201, summary="Add a category entry (NGO Department)", response_model=CategoryOut, response_model_exclude_unset=True)
def category_create(kind: Word, body: CategoryIn, session: SessionDep, _: Admin) -> dict[str, Any]:
    return service.create_category(session=session, kind=kind, code=body.code, label_vi=body.label_vi, position=body.position)


@router.patch("/categories/{kind}/{code}", summary="Relabel or deactivate a category entry", response_model=CategoryOut, response_model_exclude_unset=True)
def category_update(kind: Word, code: Word, body: CategoryPatch, session: SessionDep, _: Admin) -> dict[str, Any]:
    return service.update_category(session=session, kind=kind, code=code, label_vi=body.label_vi, active=body.active, position=body.position)


# -- associations ------------------------------------------------------------------------------
@router.get("/associations", summary="Search and list associations (diacritic-insensitive ?q=)", response_model=AssociationPage, response_model_exclude_unset=True)
def associations(request: Request, session: SessionDep, settings: Settings, principal: Reader, flt: Filter, q: Word | None = None, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    limit = _limit(limit, settings)
    labels, today = service.load_labels(session), today_vn()
    ranks: dict[int, float] = {}
    if q:
        count, hits = service.search_ids(session=session, q=q, flt=flt, limit=limit, offset=offset)
        found = service.associations_by_ids(session=session, ids=[h[0] for h in hits])
        rows = [found[i] for i, _ in hits if i in found]
        ranks = dict(hits)
    else:
        count, rows = service.list_associations(session=session, flt=flt, limit=limit, offset=offset)
    items = []
    for a in rows:
        item = service.summary_dict(a, labels, settings.rules, today)
        if a.id in ranks:
            item["rank"] = round(ranks[a.id], 4)
        items.append(service.filter_tier(item, service.caller_tier(principal, association_id=a.id)))
    return _page(request, count=count, limit=limit, offset=offset, items=items)


@router.post("/associations", status_code=201, summary="Create a record (NGO Department staff)", response_model=AssociationRecord, response_model_exclude_unset=True)
def association_create(request: Request, body: AssociationCreate, session: SessionDep, settings: Settings, principal: Admin) -> dict[str, Any]:
    today = today_vn()
    assoc = service.create_association(session=session, data=body, actor=principal.sub, source="staff", rules=settings.rules, today=today, route=request.url.path, principal=principal)
    return service.record_dict(session=session, assoc=assoc, labels=service.load_labels(session), rules=settings.rules, today=today) | {"tier": "full"}


@router.get("/associations/{association_id}", summary="One record, with the fields of the caller's tier", response_model=AssociationRecord, response_model_exclude_unset=True)
def association_get(association_id: Id, session: SessionDep, settings: Settings, principal: Reader) -> dict[str, Any]:
    assoc = service.get_association(session=session, association_id=association_id)
    record = service.record_dict(session=session, assoc=assoc, labels=service.load_labels(session), rules=settings.rules, today=today_vn())
    return service.filter_tier(record, service.caller_tier(principal, association_id=association_id))


@router.patch("/associations/{association_id}", summary="Edit and supplement a record (advanced tier); collections given are replaced", response_model=AssociationRecord, response_model_exclude_unset=True)
def association_update(request: Request, association_id: Id, body: AssociationFields, session: SessionDep, settings: Settings, principal: Admin) -> dict[str, Any]:
    today = today_vn()
    assoc, changed = service.update_association(session=session, association_id=association_id, data=body, actor=principal.sub, source="staff", rules=settings.rules, today=today, route=request.url.path, principal=principal)
    record = service.record_dict(session=session, assoc=assoc, labels=service.load_labels(session), rules=settings.rules, today=today)
    return record | {"tier": "full", "changed_fields": changed}


@router.post("/associations/{association_id}/status-changes", status_code=201, summary="Record a rename, division, split-off, merger, consolidation or dissolution", response_model=StatusChangeResult, response_model_exclude_unset=True)
def association_status_change(association_id: Id, body: StatusChangeIn, session: SessionDep, settings: Settings, principal: Admin) -> dict[str, Any]:
    today = today_vn()
    change = service.record_status_change(session=session, association_id=association_id, data=body, actor=principal.sub, rules=settings.rules, today=today)
    assoc = service.get_association(session=session, association_id=association_id)
    record = service.record_dict(session=session, assoc=assoc, labels=service.load_labels(session), rules=settings.rules, today=today)
    return {"status_change_id": change.id, "association": record}


@router.get("/associations/{association_id}/history", summary="Every version of a record", response_model=HistoryOut, response_model_exclude_unset=True)
def association_history(association_id: Id, session: SessionDep, principal: Reader) -> dict[str, Any]:
    if service.caller_tier(principal, association_id=association_id) < service.ADVANCED:
        raise Forbidden("A record's history needs ngo:read:advanced (or is the association's own).")
    versions = service.history(session=session, association_id=association_id)
    return {"association_id": association_id, "count": len(versions), "items": versions}


# -- submissions (G2, G6) ----------------------------------------------------------------------
_SHEET_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The information sheet as a JSON object, stored byte for byte as received.",
        "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True, "description": "Form 1 fields (see AssociationFields); association_id for an administrator's submission"}}},
    }
}


@router.post("/submissions", status_code=201, summary="Submit the information sheet as JSON (stored as received)", openapi_extra=_SHEET_BODY, response_model=SubmissionOut, response_model_exclude_unset=True)
async def submission_create_json(request: Request, session: SessionDep, settings: Settings, principal: Submitter) -> dict[str, Any]:
    content = await request.body()
    sheet = submissions.Upload("sheet.json", request.headers.get("content-type", "application/json"), content)
    route = request.url.path

    def receive() -> dict[str, Any]:
        sub = submissions.receive_submission(session=session, principal=principal, sheet=sheet, attachments=[], raw_dir=settings.raw_dir, rules=settings.rules, today=today_vn(), route=route)
        return submissions.submission_dict(session=session, sub=sub)

    # parsing, validating and writing the raw file block: off the event loop
    return await run_in_threadpool(receive)


@router.post("/submissions/upload", status_code=201, summary="Submit the sheet (XLSX or JSON file) with attached files", response_model=SubmissionOut, response_model_exclude_unset=True)
def submission_upload(
    request: Request,
    session: SessionDep,
    settings: Settings,
    principal: Submitter,
    sheet: Annotated[UploadFile, File(description="the information sheet: .xlsx or .json")],
    files: Annotated[list[UploadFile] | None, File(description="attached documents")] = None,
) -> dict[str, Any]:
    # a plain def: FastAPI runs it in the threadpool, so reading the spooled files, parsing the
    # XLSX and writing the raw files never stall the event loop
    def read(upload: UploadFile, field: str) -> submissions.Upload:
        content = upload.file.read(settings.max_upload_bytes + 1)
        if len(content) > settings.max_upload_bytes:
            raise InvalidInput(f"'{upload.filename}' is larger than {settings.max_upload_bytes} bytes.", errors=[{"field": field, "message": "too large"}])
        return submissions.Upload(upload.filename or field, upload.content_type or "application/octet-stream", content)

    main = read(sheet, "sheet")
    attached = [read(f, f"files[{i}]") for i, f in enumerate(files or [])]
    sub = submissions.receive_submission(session=session, principal=principal, sheet=main, attachments=attached, raw_dir=settings.raw_dir, rules=settings.rules, today=today_vn(), route=request.url.path)
    return submissions.submission_dict(session=session, sub=sub)


@router.get("/submissions", summary="Submissions (administrators: all; an association: its own)", response_model=SubmissionPage, response_model_exclude_unset=True)
def submission_list(request: Request, session: SessionDep, settings: Settings, principal: Annotated[Principal, require_scopes("ngo:submit", "ngo:admin", any_of=True)], status: Word | None = None, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    limit = _limit(limit, settings)
    count, rows = submissions.list_submissions(session=session, principal=principal, status=status, limit=limit, offset=offset)
    return _page(request, count=count, limit=limit, offset=offset, items=[submissions.submission_dict(session=session, sub=s) for s in rows])


@router.get("/submissions/{submission_id}", summary="One submission", response_model=SubmissionOut, response_model_exclude_unset=True)
def submission_get(submission_id: Id, session: SessionDep, principal: Annotated[Principal, require_scopes("ngo:submit", "ngo:admin", any_of=True)]) -> dict[str, Any]:
    sub = submissions.get_submission(session=session, submission_id=submission_id, principal=principal)
    return submissions.submission_dict(session=session, sub=sub)


@router.get("/submissions/{submission_id}/files/{file_id}", summary="A file exactly as received", response_class=Response, responses={200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}, "description": "the bytes as received (their media type as received is the submission's files[].content_type)"}})
def submission_file(submission_id: Id, file_id: Id, session: SessionDep, settings: Settings, principal: Annotated[Principal, require_scopes("ngo:submit", "ngo:admin", any_of=True)]) -> Response:
    from services.ngo_registry.models import RawFile

    submissions.get_submission(session=session, submission_id=submission_id, principal=principal)
    raw = service.get_row(session, RawFile, file_id)
    if raw is None or raw.submission_id != submission_id:
        raise NotFound(f"Submission {submission_id} has no file {file_id}.")
    content = submissions.raw_path(settings.raw_dir, raw.sha256).read_bytes()
    # served as bytes, never as the type the uploader claimed (a stored text/html or a garbled
    # application/json is a download, not a page or a document); the name may be Vietnamese
    return Response(content, media_type="application/octet-stream", headers={"X-Content-SHA256": raw.sha256, "Content-Disposition": _attachment(raw.filename)})


def _attachment(filename: str) -> str:
    """A Content-Disposition for any stored name: an ASCII fallback and the UTF-8 name (RFC 6266)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename) or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.post("/submissions/{submission_id}/review", summary="Accept (merge), request correction or reject with a reason", response_model=SubmissionOut, response_model_exclude_unset=True)
def submission_review(submission_id: Id, body: ReviewIn, session: SessionDep, settings: Settings, principal: Admin) -> dict[str, Any]:
    sub = submissions.review_submission(session=session, submission_id=submission_id, decision=body.decision, reason=body.reason, principal=principal, rules=settings.rules, today=today_vn())
    return submissions.submission_dict(session=session, sub=sub)


# -- exploitation lists (G14): value-added, metered ----------------------------------------------
@router.get("/lists/general/{association_id}", summary="(a) General information on one association", responses=TABLE_RESPONSES)
def list_general(request: Request, association_id: Id, session: SessionDep, settings: Settings, principal: ValueAdded, format: Format = "json") -> Response:
    table = reports.general_info(session=session, association_id=association_id, rules=settings.rules, today=today_vn())
    _value_added(session, principal, settings, table)
    return _export(request, table, format, limit=table.count, offset=0)


def _association_list(
    request: Request, session: Any, settings: Any, principal: Any, flt: Any, *,
    dataset: str, title: str, sort: str, format: str, limit: int, offset: int,
) -> Response:
    """Lists (b), (c) and (l): associations filtered, sorted by ``sort`` then name, metered, exported."""
    from services.ngo_registry.models import Association

    limit = _limit(limit, settings)
    order = (getattr(Association, sort), Association.name_vi, Association.id)
    table = reports.association_list(
        session=session, dataset=dataset, title=title, flt=flt, limit=limit, offset=offset, order=order
    )
    _value_added(session, principal, settings, table)
    return _export(request, table, format, limit=limit, offset=offset)


@router.get("/lists/by-field", summary="(b) Associations by field", responses=TABLE_RESPONSES)
def list_by_field(request: Request, session: SessionDep, settings: Settings, principal: ValueAdded, flt: Filter, format: Format = "json", limit: Limit = 50, offset: Offset = 0) -> Response:
    return _association_list(
        request, session, settings, principal, flt, dataset="by_field", title="Danh sách hội hoạt động trong lĩnh vực", sort="field_code",
        format=format, limit=limit, offset=offset,
    )


@router.get("/lists/by-ministry", summary="(c) Associations by managing ministry or sector", responses=TABLE_RESPONSES)
def list_by_ministry(request: Request, session: SessionDep, settings: Settings, principal: ValueAdded, flt: Filter, format: Format = "json", limit: Limit = 50, offset: Offset = 0) -> Response:
    return _association_list(
        request, session, settings, principal, flt, dataset="by_ministry", title="Danh sách các hội chịu sự quản lý nhà nước của Bộ, ngành", sort="managing_agency_code",
        format=format, limit=limit, offset=offset,
    )


@router.get("/lists/by-nature", summary="(l) Associations by nature", responses=TABLE_RESPONSES)
def list_by_nature(request: Request, session: SessionDep, settings: Settings, principal: ValueAdded, flt: Filter, format: Format = "json", limit: Limit = 50, offset: Offset = 0) -> Response:
    return _association_list(
        request, session, settings, principal, flt, dataset="by_nature", title="Danh sách các hội theo tính chất", sort="nature_code",
        format=format, limit=limit, offset=offset,
    )


@router.get("/lists/key-leaders", summary="(d) Key leaders", responses=TABLE_RESPONSES)
def list_key_leaders(request: Request, session: SessionDep, settings: Settings, principal: ValueAdded, flt: Filter, role: Word | None = None, format: Format = "json", limit: Limit = 50, offset: Offset = 0) -> Response:
    limit = _limit(limit, settings)
    table = reports.key_leaders(session=session, flt=flt, role=role, today=today_vn(), limit=limit, offset=offset)
    _value_added(session, principal, settings, table)
    return _export(request, table, format, limit=limit, offset=offset)


@router.get("/lists/chairpersons", summary="(đ) Chairpersons", responses=TABLE_RESPONSES)
def list_chairpersons(request: Request, session: SessionDep, settings: Settings, principal: ValueAdded, flt: Filter, format: Format = "json", limit: Limit = 50, offset: Offset = 0) -> Response:
    limit = _limit(limit, settings)
    table = reports.chairpersons(session=session, flt=flt, limit=limit, offset=offset)
    _value_added(session, principal, settings, table)
    return _export(request, table, format, limit=limit, offset=offset)


@router.get("/lists/congress-tracking", summary="(e) Term congress tracking with the 12-month / +6-month / +90-day escalation", responses=TABLE_RESPONSES)
def list_congress_tracking(request: Request, session: SessionDep, settings: Settings, principal: ValueAdded, flt: Filter, min_level: Annotated[int, Query(ge=0, le=4, description="0 all, 1 due, 2 12 months overdue, 3 +6 months, 4 +90 days")] = 0, format: Format = "json", limit: Limit = 50, offset: Offset = 0) -> Response:
    limit = _limit(limit, settings)
    table = reports.congress_tracking(session=session, flt=flt, min_level=min_level, rules=settings.rules, today=today_vn(), limit=limit, offset=offset)
    _value_added(session, principal, settings, table)
    return _export(request, table, format, limit=limit, offset=offset)


@router.get("/lists/party-documents", summary="(m) Party and State documents on associations", responses=TABLE_RESPONSES)
def list_party_documents(request: Request, session: SessionDep, settings: Settings, principal: ValueAdded, document_type: Word | None = None, format: Format = "json", limit: Limit = 50, offset: Offset = 0) -> Response:
    limit = _limit(limit, settings)
    table = reports.party_documents(session=session, document_type=document_type, limit=limit, offset=offset)
    _value_added(session, principal, settings, table)
    return _export(request, table, format, limit=limit, offset=offset)


GroupBy = Annotated[Literal["field", "managing_agency", "nature", "scope"], Query()]


@router.get("/statistics/state-staff", summary="(h) State-assigned staff", responses=TABLE_RESPONSES)
def stats_staff(request: Request, session: SessionDep, settings: Settings, principal: ValueAdded, year: Annotated[int, Query(ge=1900, le=2200)], group_by: GroupBy = "managing_agency", format: Format = "json", limit: Limit = 50, offset: Offset = 0) -> Response:
    limit = _limit(limit, settings)
    table = reports.state_staff_statistics(session=session, year=year, group_by=group_by, limit=limit, offset=offset)
    _value_added(session, principal, settings, table)
    return _export(request, table, format, limit=limit, offset=offset)


@router.get("/statistics/funding", summary="(i) Operating funds by source, in VND", responses=TABLE_RESPONSES)
def stats_funding(request: Request, session: SessionDep, settings: Settings, principal: ValueAdded, year: Annotated[int, Query(ge=1900, le=2200)], group_by: GroupBy = "field", format: Format = "json", limit: Limit = 50, offset: Offset = 0) -> Response:
    limit = _limit(limit, settings)
    table = reports.funding_statistics(session=session, year=year, group_by=group_by, limit=limit, offset=offset)
    _value_added(session, principal, settings, table)
    return _export(request, table, format, limit=limit, offset=offset)


@router.get("/statistics/head-office", summary="(k) Head-office area and origin", responses=TABLE_RESPONSES)
def stats_head_office(request: Request, session: SessionDep, settings: Settings, principal: ValueAdded, format: Format = "json", limit: Limit = 50, offset: Offset = 0) -> Response:
    limit = _limit(limit, settings)
    table = reports.head_office_statistics(session=session, limit=limit, offset=offset)
    _value_added(session, principal, settings, table)
    return _export(request, table, format, limit=limit, offset=offset)


@router.get("/statistics/nature", summary="(l) Associations by nature and scope", responses=TABLE_RESPONSES)
def stats_nature(request: Request, session: SessionDep, settings: Settings, principal: ValueAdded, format: Format = "json", limit: Limit = 50, offset: Offset = 0) -> Response:
    limit = _limit(limit, settings)
    table = reports.nature_statistics(session=session, limit=limit, offset=offset)
    _value_added(session, principal, settings, table)
    return _export(request, table, format, limit=limit, offset=offset)


# -- Party/State documents (G14 m) -------------------------------------------------------------
# Every /documents route is for the NGO Department (ngo:admin), as the gateway's table says;
# readers get the same documents as the metered list (m) under /lists/party-documents.
def _document_or_404(session: Any, document_id: Id) -> PartyDocument:
    doc = service.get_row(session, PartyDocument, document_id)
    if doc is None:
        raise NotFound(f"There is no document {document_id}.")
    return doc  # type: ignore[no-any-return]


def _check_document(request: Request, session: Any, principal: Principal, body: DocumentIn | DocumentPatch) -> None:
    service.refuse_if_classified(session=session, principal=principal, payload=body.model_dump(mode="json", exclude_unset=True), route=request.url.path)
    doc_type = body.document_type
    if doc_type is not None and doc_type not in service.load_labels(session).active.get("document_type", set()):
        raise InvalidInput(f"unknown document_type code '{doc_type}'.", errors=[{"field": "document_type", "message": "see /api/v1/ngo/categories/document_type"}])
    if body.issued_on and body.issued_on > today_vn():
        raise InvalidInput("issued_on is in the future.", errors=[{"field": "issued_on", "message": "in the future"}])


@router.get("/documents", summary="Party and State documents", response_model=DocumentPage, response_model_exclude_unset=True)
def documents(request: Request, session: SessionDep, settings: Settings, _: Admin, document_type: Word | None = None, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    limit = _limit(limit, settings)
    table = reports.party_documents(session=session, document_type=document_type, limit=limit, offset=offset)
    return _page(request, count=table.count, limit=limit, offset=offset, items=reports.table_json(table)["items"])


@router.get("/documents/{document_id}", summary="One document", response_model=DocumentOut, response_model_exclude_unset=True)
def document_get(document_id: Id, session: SessionDep, _: Admin) -> dict[str, Any]:
    doc = _document_or_404(session, document_id)
    return reports.table_json(Table("d", "", [], [reports.document_dict(doc, service.load_labels(session))], 1))["items"][0]  # type: ignore[no-any-return]


@router.post("/documents", status_code=201, summary="Add a document", response_model=DocumentOut, response_model_exclude_unset=True)
def document_create(request: Request, body: DocumentIn, session: SessionDep, principal: Admin) -> dict[str, Any]:
    _check_document(request, session, principal, body)
    doc = PartyDocument(number=body.number, title=body.title, document_type_code=body.document_type, issuer=body.issuer, issued_on=body.issued_on, effective_on=body.effective_on, summary=body.summary)
    session.add(doc)
    session.flush()
    return reports.table_json(Table("d", "", [], [reports.document_dict(doc, service.load_labels(session))], 1))["items"][0]  # type: ignore[no-any-return]


@router.patch("/documents/{document_id}", summary="Edit a document", response_model=DocumentOut, response_model_exclude_unset=True)
def document_update(request: Request, document_id: Id, body: DocumentPatch, session: SessionDep, principal: Admin) -> dict[str, Any]:
    from datetime import UTC, datetime

    doc = _document_or_404(session, document_id)
    _check_document(request, session, principal, body)
    for key, value in body.changes().items():
        if key == "classification":
            continue
        setattr(doc, "document_type_code" if key == "document_type" else key, value)
    doc.updated_at = datetime.now(UTC)
    session.add(doc)
    session.flush()
    return reports.table_json(Table("d", "", [], [reports.document_dict(doc, service.load_labels(session))], 1))["items"][0]  # type: ignore[no-any-return]


@router.delete("/documents/{document_id}", status_code=204, summary="Remove a document")
def document_delete(document_id: Id, session: SessionDep, _: Admin) -> Response:
    session.delete(_document_or_404(session, document_id))
    session.flush()
    return Response(status_code=204)


# -- fees (G8) ---------------------------------------------------------------------------------
@router.get("/fees/schedule", summary="The fee schedule in VND", response_model=FeeScheduleOut, response_model_exclude_unset=True)
def fee_schedule(session: SessionDep, settings: Settings, _: Reader) -> dict[str, Any]:
    items = fees.schedule(session=session, default_request=settings.fee_per_request_vnd, default_row=settings.fee_per_row_vnd)
    return {"currency": "VND", "count": len(items), "items": items}


@router.put("/fees/schedule/{dataset}", summary="Set a dataset's price", response_model=FeeRateOut, response_model_exclude_unset=True)
def fee_set(dataset: Word, body: FeeRateIn, session: SessionDep, _: Admin) -> dict[str, Any]:
    return fees.set_rate(session=session, dataset=dataset, per_request_vnd=body.per_request_vnd, per_row_vnd=body.per_row_vnd)


@router.get("/fees/statement", summary="An organisation's metered value-added use in a month", response_model=FeeStatementOut, response_model_exclude_unset=True)
def fee_statement(session: SessionDep, principal: Reader, org: Word, month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]) -> dict[str, Any]:
    return fees.statement(session=session, principal=principal, org=org, month=month)


# -- reports (G11) -------------------------------------------------------------------------------
@router.get("/reports/quarterly", summary="The quarter-end update report", response_model=ReportOut, response_model_exclude_unset=True)
def report_quarterly(session: SessionDep, settings: Settings, _: Admin, year: Annotated[int, Query(ge=1900, le=2200)], quarter: Annotated[int, Query(ge=1, le=4)]) -> dict[str, Any]:
    return reports.quarterly_report(session=session, year=year, quarter=quarter, rules=settings.rules)


@router.get("/reports/annual", summary="The yearly report to the Ministry's leadership", response_model=ReportOut, response_model_exclude_unset=True)
def report_annual(session: SessionDep, settings: Settings, _: Admin, year: Annotated[int, Query(ge=1900, le=2200)]) -> dict[str, Any]:
    return reports.annual_report(session=session, year=year, rules=settings.rules)


@router.get("/reports/rules", summary="The legal parameters in force and their basis", response_model=RulesOut, response_model_exclude_unset=True)
def report_rules(settings: Settings, _: Reader) -> dict[str, Any]:
    rules = settings.rules
    params = {name: {"value": p.value, "document": p.basis.document, "article": p.basis.article, "effective": p.basis.effective.isoformat()} for name, p in rules.parameters().items()}
    return {"rule_set": rules.code, "label": rules.label, "parameters": params}


@router.post("/reports/congress-scan", summary="Emit congress.overdue events for newly reached escalation levels", response_model=ScanOut, response_model_exclude_unset=True)
def report_congress_scan(session: SessionDep, settings: Settings, _: Admin) -> dict[str, Any]:
    return {"emitted": reports.scan_overdue_congresses(session=session, rules=settings.rules, today=today_vn())}
