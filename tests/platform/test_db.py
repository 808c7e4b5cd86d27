"""shared.db.after_commit: a callback follows the unit of work's commit, once, and never a rollback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from shared.db import Database, after_commit


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
