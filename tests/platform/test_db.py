"""shared/db.py: after_commit follows the commit once and never a rollback; EnumText stores a StrEnum as text."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, text
from sqlalchemy.exc import StatementError

from shared.db import Database, EnumText, after_commit


def test_after_commit_callbacks_run_once_after_a_commit_and_never_after_a_rollback(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'after.db'}")
    calls: list[str] = []
    try:
        with database.transaction() as session:
            session.execute(text("CREATE TABLE t (x INTEGER)"))
            after_commit(session, lambda: calls.append("committed"))
            assert calls == []  # not before the commit
        assert calls == ["committed"]
        with pytest.raises(RuntimeError), database.transaction() as session:
            session.execute(text("INSERT INTO t VALUES (1)"))
            after_commit(session, lambda: calls.append("rolled back"))
            raise RuntimeError("refused")
        with database.transaction() as session:
            assert session.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
        assert calls == ["committed"]  # the rolled-back one never ran, the first did not run twice

        def failing() -> None:
            raise ValueError("cache gone")

        with database.transaction() as session:
            session.execute(text("INSERT INTO t VALUES (2)"))
            after_commit(session, failing)
            after_commit(session, lambda: calls.append("still runs"))
        with database.transaction() as session:  # a failing callback does not undo or hide the commit
            assert session.execute(text("SELECT count(*) FROM t")).scalar_one() == 1
        assert calls == ["committed", "still runs"]
    finally:
        database.dispose()


class Colour(StrEnum):
    RED = "red"
    GREEN = "green"


def test_enum_text_stores_the_plain_value_and_reads_back_the_enum(tmp_path: Path) -> None:
    metadata = MetaData()
    paint = Table("paint", metadata, Column("id", Integer, primary_key=True), Column("colour", EnumText(Colour, 20)))
    database = Database(f"sqlite:///{tmp_path / 'enum.db'}")
    try:
        metadata.create_all(database.engine)
        with database.transaction() as session:
            session.execute(paint.insert(), [{"id": 1, "colour": Colour.RED}, {"id": 2, "colour": "green"}])
        with database.transaction(write=False) as session:
            assert session.execute(text("SELECT colour FROM paint ORDER BY id")).scalars().all() == ["red", "green"]
            read = session.execute(paint.select().order_by(paint.c.id)).all()
            assert [row.colour for row in read] == [Colour.RED, Colour.GREEN]
            assert all(isinstance(row.colour, Colour) for row in read)
        with pytest.raises(StatementError), database.transaction() as session:
            session.execute(paint.insert(), [{"id": 3, "colour": "blue"}])  # not a Colour
        with database.transaction() as session:
            session.execute(text("INSERT INTO paint (id, colour) VALUES (4, 'blue')"))
        with pytest.raises(ValueError), database.transaction(write=False) as session:
            session.execute(paint.select().where(paint.c.id == 4)).all()  # refused on read as well
    finally:
        database.dispose()
