"""shared/pagination.py: one page shape, ``{count, next, previous, results}``, capped windows."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.pagination import Page, PageParams, Paging


def test_page_links_only_where_there_is_a_page() -> None:
    window = Paging(limit=10, offset=0)
    assert Page[int].of(window, results=[1], count=5).model_dump() == {
        "count": 5, "next": None, "previous": None, "results": [1],
    }


def _app(max_page_size: int) -> TestClient:
    app = FastAPI()
    app.state.settings = SimpleNamespace(max_page_size=max_page_size)

    @app.get("/things")
    def things(paging: PageParams, colour: str = "") -> Page[int]:
        everything = list(range(25))
        return Page[int].of(paging, results=everything[paging.offset : paging.offset + paging.limit], count=25)

    return TestClient(app)


def test_links_keep_the_other_query_parameters_and_the_limit_is_capped() -> None:
    client = _app(max_page_size=10)
    first: dict[str, Any] = client.get("/things?colour=red&limit=50").json()
    assert first["count"] == 25 and first["results"] == list(range(10))  # 50 capped at 10
    assert first["previous"] is None
    assert "colour=red" in first["next"] and "offset=10" in first["next"] and "limit=10" in first["next"]
    middle = client.get(first["next"]).json()
    assert middle["results"] == list(range(10, 20))
    assert "offset=0" in middle["previous"]
    last = client.get(middle["next"]).json()
    assert last["results"] == list(range(20, 25)) and last["next"] is None


def test_out_of_range_windows_are_422() -> None:
    client = _app(max_page_size=10)
    assert client.get("/things?limit=0").status_code == 422
    assert client.get("/things?offset=-1").status_code == 422
    assert client.get(f"/things?offset={2**63}").status_code == 422
