"""Query parameter types the ipam routers share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from shared.types import Id, Text

IdQ = Annotated[Id | None, Query()]
Family = Annotated[int | None, Query(ge=4, le=6, description="4 or 6")]
#: a free-text filter: no control characters (PostgreSQL refuses NUL even in a comparison)
TextQ = Annotated[Text | None, Query(max_length=300)]
