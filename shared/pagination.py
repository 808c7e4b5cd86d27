"""One page shape for every list of every service (NetBox's): ``{count, next, previous, results}``.

A list route takes ``paging: PageParams`` (``limit`` 1…``GOVNET_MAX_PAGE_SIZE``, default 50;
``offset`` 0…2^63−1) and answers ``Page[ItemSchema].of(paging, results=…, count=…)``. The
links keep every other query parameter of the request, so a filtered list pages as filtered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query, Request
from pydantic import BaseModel, Field

from shared.types import MAX_ID

T = TypeVar("T")
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class Paging:
    """The window a caller asked for, already capped, and the request to build links from."""

    limit: int
    offset: int
    request: Request | None = None

    def link(self, offset: int) -> str | None:
        """This request's URL at ``offset`` (same limit and other parameters), or None without a request."""
        if self.request is None:
            return None
        return str(self.request.url.include_query_params(limit=self.limit, offset=offset))


def paging(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_ID, description="Page size (capped at GOVNET_MAX_PAGE_SIZE)")] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="Rows to skip")] = 0,
) -> Paging:
    """The ``limit``/``offset`` query parameters of a list route, capped at the configured page size."""
    cap: int = getattr(request.app.state.settings, "max_page_size", 1000)
    return Paging(limit=min(limit, cap), offset=offset, request=request)


PageParams = Annotated[Paging, Depends(paging)]


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    count: int = Field(description="Rows in the whole list (all pages)")
    next: str | None = Field(description="The next page's URL, or null on the last page")
    previous: str | None = Field(description="The previous page's URL, or null on the first page")
    results: list[T]

    @classmethod
    def of(cls, window: Paging, *, results: list[T], count: int) -> Page[T]:
        """The page of ``results`` at ``window`` in a list of ``count`` rows."""
        nxt = window.link(window.offset + window.limit) if window.offset + window.limit < count else None
        prev = window.link(max(0, window.offset - window.limit)) if window.offset > 0 else None
        return cls(count=count, next=nxt, previous=prev, results=results)
