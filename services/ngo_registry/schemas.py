"""Building blocks of every request and response model of the ngo_registry service.

Free text is :data:`shared.types.Text` (no control characters but tab and newline), names are
:data:`shared.types.Name`; ids are :data:`shared.types.Id`; counts, years and amounts have
bounds a person could mean, so hostile input is a 422 naming the field, never a 500.
PATCH bodies derive from :class:`shared.types.PatchModel`: ``null`` clears only the columns
listed in ``nullable``. Each domain keeps its own models in its ``schemas.py``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

#: a year the registry can mean (founding decisions go back to 1946)
MIN_YEAR, MAX_YEAR = 1900, 2200
#: the largest amount of VND accepted (10^15, a thousand trillion: far above any budget)
MAX_VND = 10**15
#: the largest head count accepted (members, delegates, staff)
MAX_PEOPLE = 10**9


class In(BaseModel):
    """A request body: unknown fields refused, text stripped, no NaN or infinity."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


# Routes set ``response_model_exclude_unset``: a field the caller's tier may not read is left
# out of the answer (not sent as null). Dates and times are ISO strings.
class Out(BaseModel):
    """A response body (extra keys, such as a report's figures, pass through)."""

    model_config = ConfigDict(extra="allow")
