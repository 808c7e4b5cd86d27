"""The name rule (G17; Decree 45/2010 Art. 4, Decree 126/2024): a live association's name is its own.

A new or renamed association whose folded name (``text.fold_name``) a live (not dissolved)
association holds is refused with 409 naming that record; under Decree 126/2024 so is a name
that encompasses a live one (``rules.encompasses``). Close names are accepted with warnings
listing them. The check runs in the request's transaction: SQLite serialises writers
(``BEGIN IMMEDIATE``), PostgreSQL takes one transaction-scoped advisory lock, and the partial
unique index ``uq_association_live_name_key`` refuses a duplicate whatever got past the check.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.ngo_registry.records.models import Association, AssociationStatus
from services.ngo_registry.records.schemas import NameWarning
from services.ngo_registry.rules import NameClash, NameRule, RuleSet, name_clash, name_runs, name_similarity
from services.ngo_registry.text import fold_name
from shared.errors import Conflict

#: the PostgreSQL advisory lock that serialises name checks ("NGONAME" in ASCII)
NAME_LOCK = 0x4E474F4E414D45
#: how many ranked candidates the near-match check compares word by word
NEAR_CANDIDATES = 50
#: words nearly every association name has: left out of the near-match search, which would
#: otherwise rank thousands of rows for "hoi" or "viet nam"
GENERIC_WORDS = frozenset("hoi hiep lien doan cac cau lac bo tong viet nam tinh thanh pho huyen thi xa quan va".split())


def _live(query: SelectOfScalar[Association], exclude_id: int | None) -> SelectOfScalar[Association]:
    """``query`` narrowed to associations that are not dissolved (and not ``exclude_id``)."""
    query = query.where(Association.status != AssociationStatus.DISSOLVED)
    return query.where(Association.id != exclude_id) if exclude_id is not None else query


def _refused(holder: Association, clash: NameClash, rules: RuleSet) -> Conflict:
    basis = rules.name_refused.basis.cite()
    why = "is the name of" if clash == NameClash.DUPLICATE else "encompasses the name of"
    return Conflict(
        f"'{holder.name_vi}' {why} association {holder.id}, which is not dissolved; an association's name may not "
        f"duplicate or be confused with another's ({basis}).",
        code="association-name-taken",
        existing={"id": holder.id, "name_vi": holder.name_vi},
        clash=clash.value,
        legal_basis=basis,
    )


def _lock_names(session: Session) -> None:
    """Serialise name checks on PostgreSQL (SQLite writers are serialised already)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(NAME_LOCK)))


def refuse_taken_name(*, session: Session, name_vi: str, rules: RuleSet, exclude_id: int | None = None) -> None:
    """Raise 409 when a live association holds ``name_vi`` (or, under 126/2024, it encompasses one)."""
    key = fold_name(name_vi)
    keys = name_runs(key) if rules.name_refused.value == NameRule.DUPLICATE_OR_ENCOMPASSING else [key]
    holders = session.exec(_live(select(Association).where(col(Association.name_key).in_(keys)), exclude_id).order_by(col(Association.id))).all()
    clashes = [(clash, h) for h in holders if (clash := name_clash(key, h.name_key, rules)) is not None]
    if clashes:
        clash, holder = min(clashes, key=lambda c: (c[0] != NameClash.DUPLICATE, c[1].id or 0))
        raise _refused(holder, clash, rules)


def near_matches(*, session: Session, name_vi: str, rules: RuleSet, exclude_id: int | None = None) -> list[NameWarning]:
    """Live associations whose names are close to ``name_vi`` (not the same), closest first."""
    key = fold_name(name_vi)
    words = [w for w in dict.fromkeys(key.split()) if w.isascii() and w.isalnum()]
    distinctive = [w for w in words if w not in GENERIC_WORDS] or words
    if not distinctive:
        return []
    if session.get_bind().dialect.name == "sqlite":
        match = " OR ".join(f'"{w}"' for w in distinctive)
        fts = sa.text("SELECT rowid AS id FROM association_fts WHERE association_fts MATCH :m ORDER BY bm25(association_fts) LIMIT :n")
        ranked = fts.bindparams(m=match, n=NEAR_CANDIDATES).columns(id=sa.Integer).subquery("fts")
        query = select(Association).join(ranked, ranked.c.id == Association.id)
    else:
        tsv = sa.literal_column("association.search_tsv", type_=TSVECTOR)
        tsq = sa.func.to_tsquery(sa.literal_column("'simple'"), " | ".join(distinctive))
        query = select(Association).where(tsv.op("@@")(tsq)).order_by(sa.func.ts_rank(tsv, tsq, 1).desc()).limit(NEAR_CANDIDATES)
    candidates = session.exec(_live(query, exclude_id)).all()
    scored = [(name_similarity(key, c.name_key), c) for c in candidates if c.name_key != key]
    near = sorted(((s, c) for s, c in scored if s >= rules.name_near_match.value), key=lambda sc: (-sc[0], sc[1].id or 0))
    return [
        NameWarning(
            code="similar-name",
            association_id=c.id or 0,
            name_vi=c.name_vi,
            similarity=round(s, 3),
            message=f"'{name_vi}' is close to '{c.name_vi}' (association {c.id}): check that the names cannot be confused.",
        )
        for s, c in near
    ]


def check_name(*, session: Session, name_vi: str, rules: RuleSet, exclude_id: int | None = None) -> list[NameWarning]:
    """Refuse a taken name (409) and return the near matches staff should see (before a write)."""
    _lock_names(session)
    refuse_taken_name(session=session, name_vi=name_vi, rules=rules, exclude_id=exclude_id)
    return near_matches(session=session, name_vi=name_vi, rules=rules, exclude_id=exclude_id)


def name_preview(*, session: Session, name_vi: str, rules: RuleSet, exclude_id: int | None = None) -> list[NameWarning]:
    """What the name rule would say of ``name_vi``, as warnings (for a submission not yet reviewed)."""
    try:
        refuse_taken_name(session=session, name_vi=name_vi, rules=rules, exclude_id=exclude_id)
    except Conflict as refused:
        existing = refused.extra["existing"]
        taken = NameWarning(code="name-taken", association_id=existing["id"], name_vi=existing["name_vi"], similarity=round(name_similarity(fold_name(name_vi), fold_name(existing["name_vi"])), 3), message=refused.detail)
        return [taken, *near_matches(session=session, name_vi=name_vi, rules=rules, exclude_id=exclude_id)]
    return near_matches(session=session, name_vi=name_vi, rules=rules, exclude_id=exclude_id)


def flush_name(*, session: Session, assoc: Association, rules: RuleSet) -> None:
    """Write the record's name in a SAVEPOINT: the unique index's refusal is the same 409."""
    assoc.name_key = fold_name(assoc.name_vi)
    assoc.name_duplicate_of = None  # a name that passed the check holds its own place in the index
    try:
        with session.begin_nested():
            session.add(assoc)
            session.flush()
    except IntegrityError as exc:
        message = str(exc.orig)
        if "uq_association_live_name_key" not in message and "association.name_key" not in message:
            raise
        holder = session.exec(_live(select(Association).where(Association.name_key == assoc.name_key), assoc.id).order_by(col(Association.id))).first()
        if holder is None:  # the holder was gone by the time we looked: still the same refusal
            raise Conflict(f"The name '{assoc.name_vi}' was taken by another association meanwhile.", code="association-name-taken", legal_basis=rules.name_refused.basis.cite()) from None
        raise _refused(holder, NameClash.DUPLICATE, rules) from None
