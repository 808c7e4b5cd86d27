"""The ipam service's table base: one metadata for every domain's tables, its outbox/inbox tables,
and the base of its request models.

Every domain's ``models.py`` derives from :data:`Base`, so ``services/ipam/models.py`` (which
imports them all) gives Alembic and ``create_all`` the whole schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict
from pydantic import Strict as StrictType
from sqlmodel import SQLModel

from shared.db import make_base
from shared.db import utcnow as utcnow  # one clock for every timestamp column
from shared.events import event_tables
from shared.types import Id

if TYPE_CHECKING:  # make_base returns a class object; type checkers see plain SQLModel
    Base = SQLModel
else:
    Base = make_base("IpamBase")
EVENT_TABLES = event_tables(Base.metadata)



class Strict(BaseModel):
    """A request body that refuses unknown fields (its numbers and booleans are :data:`BodyInt`, :data:`BodyId`, :data:`BodyBool`)."""

    model_config = ConfigDict(extra="forbid")


# A JSON string, float or boolean where a body expects an integer is a 422, not coerced ("5" is not 5).
# Per type rather than ConfigDict(strict=True): strict mode would also refuse enum values and
# timestamps given as JSON strings, which is how every client sends them.
BodyInt = Annotated[int, StrictType()]
BodyId = Annotated[Id, StrictType()]
BodyBool = Annotated[bool, StrictType()]
