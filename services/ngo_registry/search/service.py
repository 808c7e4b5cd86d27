"""Finding associations: diacritic-insensitive ranked search and filtered, ordered lists (G14 b, G15)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlmodel import Session, col, select

from services.ngo_registry.records.models import Association, AssociationStatus
from services.ngo_registry.text import normalise


@dataclass
class AssociationFilter:
    """Filters shared by the search and every list."""

    field: str | None = None
    managing_agency: str | None = None
    nature: str | None = None
    scope: str | None = None
    name_type: str | None = None
    status: str | None = None
    special_status: bool | None = None

    def apply(self, query: Any) -> Any:
        """``query`` narrowed by every filter given."""
        pairs = [
            (self.field, Association.field_code),
            (self.managing_agency, Association.managing_agency_code),
            (self.nature, Association.nature_code),
            (self.scope, Association.scope_code),
            (self.name_type, Association.name_type_code),
        ]
        for value, column in pairs:
            if value is not None:
                query = query.where(column == value)
        if self.status is not None:
            # a status no association can have matches nothing (the enum column refuses to bind it)
            known = self.status in set(AssociationStatus)
            query = query.where(Association.status == AssociationStatus(self.status) if known else sa.false())
        if self.special_status is not None:
            query = query.where(Association.special_status == self.special_status)
        return query


def query_terms(q: str) -> list[str]:
    """The normalised words of a search query."""
    return normalise(q).split()[:12]


def search_ids(*, session: Session, q: str, flt: AssociationFilter, limit: int, offset: int) -> tuple[int, list[tuple[int, float]]]:
    """Ranked matches ``(count, [(id, rank)])`` for a diacritic-insensitive query.

    One statement: the full-text index finds the matches once, ``count(*) OVER ()`` counts them
    exactly and a top-N sort keeps the page. On PostgreSQL the rank reads the stored
    ``search_tsv`` column (revision 7c3e9a51d2b4) instead of rebuilding each row's tsvector.
    The whole phrase (prefix, then anywhere) ranks first; then the full-text score.
    """
    terms = query_terms(q)
    if not terms:
        return phrase_ids(session=session, q=q, flt=flt, limit=limit, offset=offset)
    phrase = " ".join(terms)
    dialect = session.get_bind().dialect.name
    boost = sa.case((col(Association.search_text).like(f"{phrase}%"), 2.0), (col(Association.search_text).like(f"%{phrase}%"), 1.0), else_=0.0)
    if dialect == "sqlite":
        match = " ".join(f'"{t}"' for t in terms[:-1]) + (" " if len(terms) > 1 else "") + f'"{terms[-1]}"*'
        fts = sa.text("SELECT rowid AS id, bm25(association_fts) AS score FROM association_fts WHERE association_fts MATCH :m").bindparams(m=match).columns(id=sa.Integer, score=sa.Float).subquery("fts")
        score = (boost * 100 - fts.c.score).label("rank")
        matched = flt.apply(select(Association.id).join(fts, fts.c.id == Association.id))
    else:
        tsv = sa.literal_column("association.search_tsv", type_=TSVECTOR)
        tsq = sa.func.to_tsquery(sa.literal_column("'simple'"), " & ".join(terms[:-1] + [terms[-1] + ":*"]))
        # ts_rank with length normalisation (1): like SQLite's bm25, shorter names rank first;
        # ts_rank_cd cost ~3 µs a row with prefix terms, a third of the query on common words
        score = (boost * 100 + sa.func.ts_rank(tsv, tsq, 1)).label("rank")
        matched = flt.apply(select(Association.id).where(tsv.op("@@")(tsq)))
    page = matched.add_columns(score, sa.func.count().over().label("total")).order_by(score.desc(), col(Association.name_vi), col(Association.id)).limit(limit).offset(offset)
    rows = session.execute(page).all()
    if rows:
        count = int(rows[0][2])
    elif offset:  # past the last page: the window saw no row, count separately
        count = int(session.exec(select(sa.func.count()).select_from(matched.subquery())).one())
    else:
        count = 0
    return count, [(int(r[0]), float(r[1])) for r in rows]


def phrase_ids(*, session: Session, q: str, flt: AssociationFilter, limit: int, offset: int) -> tuple[int, list[tuple[int, float]]]:
    """Matches of a query with no Latin letter or digit (Chinese, Khmer, Cyrillic ...): the names holding it as written.

    The full-text index holds only the folded Latin words, so such a query is a plain substring
    search of the names (spaces collapsed; also lower-cased, for scripts with case). A query of
    punctuation or spaces alone finds nothing.
    """
    needle = " ".join(q.split())
    if not any(ch.isalnum() for ch in needle):
        return 0, []
    columns = (col(Association.name_vi), col(Association.name_foreign), col(Association.abbreviation))
    variants = dict.fromkeys((needle, needle.lower()))
    found = sa.or_(*(column.contains(v, autoescape=True) for column in columns for v in variants), *(sa.func.lower(column).contains(needle.lower(), autoescape=True) for column in columns))
    matched = flt.apply(select(Association.id).where(found))
    rank = sa.literal(1.0, type_=sa.Float).label("rank")
    page = matched.add_columns(rank, sa.func.count().over().label("total")).order_by(col(Association.name_vi), col(Association.id)).limit(limit).offset(offset)
    rows = session.execute(page).all()
    count = int(rows[0][2]) if rows else int(session.exec(select(sa.func.count()).select_from(matched.subquery())).one()) if offset else 0
    return count, [(int(r[0]), float(r[1])) for r in rows]


def list_associations(*, session: Session, flt: AssociationFilter, limit: int, offset: int, order: Sequence[Any] = ()) -> tuple[int, list[Association]]:
    """Filtered, ordered, paginated associations and the total count."""
    count = session.exec(flt.apply(select(sa.func.count()).select_from(Association))).one()
    query = flt.apply(select(Association)).order_by(*(order or (col(Association.name_vi), col(Association.id)))).limit(limit).offset(offset)
    return int(count), list(session.exec(query).all())


def associations_by_ids(*, session: Session, ids: Iterable[int]) -> dict[int, Association]:
    """The associations with ``ids``, by id."""
    id_list = list(ids)
    if not id_list:
        return {}
    return {a.id: a for a in session.exec(select(Association).where(col(Association.id).in_(id_list))).all() if a.id is not None}


def find_associations(
    *, session: Session, q: str | None, flt: AssociationFilter, limit: int, offset: int
) -> tuple[int, list[tuple[Association, float | None]]]:
    """One page of associations and the total: ranked by ``q`` when given, else by name."""
    if not q:
        count, rows = list_associations(session=session, flt=flt, limit=limit, offset=offset)
        return count, [(a, None) for a in rows]
    count, hits = search_ids(session=session, q=q, flt=flt, limit=limit, offset=offset)
    found = associations_by_ids(session=session, ids=[h[0] for h in hits])
    return count, [(found[i], rank) for i, rank in hits if i in found]
