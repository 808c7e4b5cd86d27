"""Database engines and sessions (SQLModel on SQLAlchemy), SQLite and PostgreSQL alike.

SQLite runs in WAL mode with foreign keys on and a busy timeout. Writes begin with
``BEGIN IMMEDIATE`` so that two writers never deadlock on a lock upgrade: on SQLite that is
what serialises allocation-style read-check-write transactions. The edge owns the
transaction: :func:`session_dependency` commits after the endpoint returns (before the
response is sent) or rolls back when it raises; service code only flushes.

A row that must outlive a refused request (an audit of the refusal) is handed to
:func:`keep_after_rollback`: it rides the request's commit, and when the unit of work rolls
back it is written again in a short transaction of its own, after the rollback released the
write lock. A second session opened during the request would wait for the request's own lock
on SQLite (and hang for the busy timeout).

An in-memory cache that must follow a write (the gateway's grant snapshot) is told through
:func:`after_commit`: the callback runs once the unit of work has committed, and is dropped
when it rolls back, so no reader sees the cache ahead of the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Request
from sqlalchemy import ColumnElement, MetaData, event, false, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator
from sqlmodel import AutoString, Session, SQLModel, create_engine

#: constraint names every service uses, so migrations can name what they alter
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 30_000
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: session.info key of the rows :func:`keep_after_rollback` remembers
KEPT_ROWS = "govnet_kept_rows"
#: session.info key of the callbacks :func:`after_commit` remembers
AFTER_COMMIT = "govnet_after_commit"

log = logging.getLogger("govnet.db")


def service_registry() -> registry:
    """A SQLAlchemy registry with its own MetaData, so each service's tables stay its own."""
    return registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def make_base(name: str) -> type[SQLModel]:
    """The SQLModel base class of one service (its own metadata and naming convention)."""
    base: type[SQLModel] = type(name, (SQLModel,), {}, registry=service_registry())
    return base


E = TypeVar("E", bound=StrEnum)


def utcnow() -> datetime:
    """Now, timezone-aware (UTC): the default of every timestamp column."""
    return datetime.now(UTC)


def enum_eq(column: Any, enum: type[StrEnum], value: str) -> ColumnElement[bool]:
    """``column = value`` for an :class:`EnumText` column, or false for a value no row can have
    (the column refuses to bind a value outside its enum, so an unknown filter matches nothing)."""
    return column == enum(value) if value in enum._value2member_map_ else false()


class EnumText(TypeDecorator[E], Generic[E]):
    """A StrEnum column stored as its plain text value (VARCHAR, no database enum type), read back as the enum.

    The stored values and the column type are those of a plain ``str`` column, so turning one
    into an enum needs no migration; an unknown stored value is refused on read, as on write.
    """

    impl = AutoString
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length=length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


def is_sqlite(engine_or_url: Engine | str) -> bool:
    """True when the engine or URL is SQLite's."""
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and explicit BEGINs."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            pool_size=pool_size,
            max_overflow=20,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_size=pool_size, max_overflow=20, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # take transaction control away from pysqlite so BEGIN is ours (and SAVEPOINTs work)
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("govnet_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


def keep_after_rollback(session: Session, row: SQLModel) -> None:
    """Add ``row`` to the session and write it even if the unit of work rolls back.

    The row's column values are remembered as they are now (audit rows do not change after
    they are made); on rollback :meth:`Database.transaction` inserts a fresh copy, with a new
    primary key, in its own short transaction once the request's lock is released.
    """
    mapper = sa_inspect(type(row))
    values = {
        attr.key: getattr(row, attr.key)
        for attr in mapper.column_attrs
        if not any(column.primary_key for column in attr.columns)
    }
    session.info.setdefault(KEPT_ROWS, []).append((type(row), values))
    session.add(row)


def write_kept_rows(session: Session, factory: Callable[[], Session]) -> int:
    """After ``session`` rolled back: write the rows it was told to keep; returns how many.

    A failure is logged, never raised: the caller is already handling the request's own error.
    """
    kept: list[tuple[type[SQLModel], dict[str, Any]]] = session.info.pop(KEPT_ROWS, [])
    if not kept:
        return 0
    try:
        with factory() as rescue:
            rescue.add_all(cls(**values) for cls, values in kept)
            rescue.commit()
    except Exception:
        log.exception("rows kept after a rollback could not be written", extra={"rows": len(kept)})
        return 0
    return len(kept)


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` after the unit of work of ``session`` commits; never if it rolls back."""
    session.info.setdefault(AFTER_COMMIT, []).append(callback)


def run_after_commit(session: Session) -> None:
    """Run the callbacks :func:`after_commit` gave ``session``, once, after its commit.

    The write has committed: a failing callback is logged, never raised, so the caller is not
    told that a committed write failed.
    """
    for callback in session.info.pop(AFTER_COMMIT, []):
        try:
            callback()
        except Exception:
            log.exception("an after-commit callback failed", extra={"callback": repr(callback)})


class Database:
    """One service's engine and its session factory."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size)
        self.sqlite = is_sqlite(self.engine)
        self._write_engine = self.engine.execution_options(govnet_write=True)

    def session(self, *, write: bool = True) -> Session:
        """A new session; ``write`` takes SQLite's write lock at BEGIN."""
        return Session(self._write_engine if write else self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        session = self.session(write=write)
        try:
            yield session
            session.commit()
            session.info.pop(KEPT_ROWS, None)  # they rode the commit
        except BaseException:
            session.info.pop(AFTER_COMMIT, None)  # nothing committed: nothing to follow
            session.rollback()  # releases the connection, and with it SQLite's write lock
            write_kept_rows(session, self.session)
            raise
        else:
            run_after_commit(session)
        finally:
            session.close()

    def ping(self) -> bool:
        """True when the database answers ``SELECT 1``."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def session_dependency(request: Request) -> Iterator[Session]:
    """The request's unit of work: commit when the endpoint returns, roll back when it raises."""
    database: Database = request.app.state.database
    with database.transaction(write=request.method not in SAFE_METHODS) as session:
        yield session


# scope="function": the commit happens before the response is sent, so a failed commit is a 500
SessionDep = Annotated[Session, Depends(session_dependency, scope="function")]
