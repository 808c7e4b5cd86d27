"""Who may read and change what in the NGO registry (G2, G7, G12): the one place for authorisation.

* scope aliases for routes (``Admin``, ``Reader``, ``ValueAdded``, ``Submitter``, ``SubmitterOrAdmin``);
* the data tiers (G2, G7): the tier a caller may read and a record cut down to it;
* dependencies that load a row named in the path or answer 404 (``CurrentAssociation``,
  ``CurrentDocument``, ``CurrentSubmission``);
* :func:`readable_submissions`, which narrows a query to what the caller's organisation may read,
  and :func:`require_org_reader` for what one organisation's statement shows.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Annotated, Any, TypeVar

from fastapi import Depends
from sqlmodel import Session

from services.ngo_registry.database import get_row
from services.ngo_registry.documents.models import PartyDocument
from services.ngo_registry.records.models import Association
from services.ngo_registry.records.schemas import AssociationSummary
from services.ngo_registry.submissions.models import Submission
from shared.auth import Principal, require_scopes
from shared.db import SessionDep
from shared.errors import Forbidden, NotFound
from shared.types import Id

Admin = Annotated[Principal, require_scopes("ngo:admin")]
Reader = Annotated[Principal, require_scopes("ngo:read:basic", "ngo:read:advanced", "ngo:read:value_added", "ngo:submit", any_of=True)]
ValueAdded = Annotated[Principal, require_scopes("ngo:read:value_added")]
Submitter = Annotated[Principal, require_scopes("ngo:submit")]
SubmitterOrAdmin = Annotated[Principal, require_scopes("ngo:submit", "ngo:admin", any_of=True)]


# -- tiers (G2, G7) ---------------------------------------------------------------------------
class Tier(IntEnum):
    """How much of a record a caller may read."""

    PUBLIC = 0
    BASIC = 1
    ADVANCED = 2
    FULL = 3


#: the lowest tier that may read each field of a record; unlisted fields are FULL only
FIELD_TIERS: dict[str, Tier] = {
    "id": Tier.PUBLIC,
    "name_vi": Tier.PUBLIC,
    "name_foreign": Tier.PUBLIC,
    "abbreviation": Tier.PUBLIC,
    "name_type": Tier.PUBLIC,
    "scope": Tier.PUBLIC,
    "purpose": Tier.PUBLIC,
    "field": Tier.PUBLIC,
    "managing_agency": Tier.PUBLIC,
    "nature": Tier.PUBLIC,
    "status": Tier.PUBLIC,
    "founding_decision": Tier.PUBLIC,
    "head_office": Tier.PUBLIC,
    "head_office.area_m2": Tier.ADVANCED,
    "head_office.origin": Tier.ADVANCED,
    "special_status": Tier.BASIC,
    "charter_approval": Tier.BASIC,
    "chair_name": Tier.BASIC,
    "leaders": Tier.BASIC,
    "congresses": Tier.BASIC,
    "next_congress": Tier.BASIC,
    "affiliated_units": Tier.BASIC,
    "status_changes": Tier.BASIC,
    "predecessors": Tier.BASIC,
    "successors": Tier.BASIC,
    "version": Tier.BASIC,
    "created_at": Tier.BASIC,
    "updated_at": Tier.BASIC,
    "rank": Tier.PUBLIC,
    "members": Tier.ADVANCED,
    "state_staff": Tier.ADVANCED,
    "funding": Tier.ADVANCED,
    "dossier": Tier.ADVANCED,
    "provenance": Tier.ADVANCED,
}
RecordT = TypeVar("RecordT", bound=AssociationSummary)


def caller_tier(principal: Principal | None, *, association_id: int | None = None) -> Tier:
    """The data tier a caller may read (an association reads its own record in full)."""
    if principal is None:
        return Tier.PUBLIC
    if principal.is_admin("ngo"):
        return Tier.FULL
    if association_id is not None and principal.has("ngo:submit") and principal.org == str(association_id):
        return Tier.FULL
    if principal.has("ngo:read:advanced"):
        return Tier.ADVANCED
    if principal.has("ngo:read:basic") or principal.has("ngo:read:value_added"):
        return Tier.BASIC
    return Tier.PUBLIC


def filter_tier(record: RecordT, tier: Tier) -> RecordT:
    """``record`` without the fields above ``tier`` (left unset, so the answer leaves them out)."""
    out: dict[str, Any] = {}
    for key, value in record.model_dump(exclude_unset=True).items():
        if FIELD_TIERS.get(key, Tier.FULL) > tier:
            continue
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if FIELD_TIERS.get(f"{key}.{k}", Tier.PUBLIC) <= tier}
        out[key] = value
    out["tier"] = tier.name.lower()
    return type(record).model_validate(out)


# -- rows named in the path -------------------------------------------------------------------
def current_association(association_id: Id, session: SessionDep) -> Association:
    """The association in the path, or 404."""
    assoc = get_row(session, Association, association_id)
    if assoc is None:
        raise NotFound(f"There is no association with id {association_id}.")
    return assoc


def current_document(document_id: Id, session: SessionDep) -> PartyDocument:
    """The Party or State document in the path, or 404."""
    doc = get_row(session, PartyDocument, document_id)
    if doc is None:
        raise NotFound(f"There is no document {document_id}.")
    return doc


def readable_submission(*, session: Session, principal: Principal, submission_id: int) -> Submission:
    """A submission its submitter's organisation or an administrator may see, or 404."""
    sub = get_row(session, Submission, submission_id)
    if sub is None or (not principal.is_admin("ngo") and sub.org != principal.org):
        raise NotFound(f"There is no submission {submission_id} visible to you.")
    return sub


def current_submission(submission_id: Id, session: SessionDep, principal: SubmitterOrAdmin) -> Submission:
    """The submission in the path if the caller may read it, or 404."""
    return readable_submission(session=session, principal=principal, submission_id=submission_id)


def require_org_reader(principal: Principal, org: str) -> None:
    """403 unless the caller is an administrator or belongs to ``org`` (fee statements, G8)."""
    if not principal.is_admin("ngo") and principal.org != org:
        raise Forbidden("A fee statement is visible to administrators and to the organisation itself.")


def readable_submissions(query: Any, principal: Principal) -> Any:
    """``query`` over submissions narrowed to the caller's organisation (administrators read all)."""
    if principal.is_admin("ngo"):
        return query
    return query.where(Submission.org == (principal.org or ""))


CurrentAssociation = Annotated[Association, Depends(current_association)]
CurrentDocument = Annotated[PartyDocument, Depends(current_document)]
CurrentSubmission = Annotated[Submission, Depends(current_submission)]
