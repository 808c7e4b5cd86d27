"""Names people type (user, organisation and client names), checked the same way everywhere."""

from __future__ import annotations

from shared.errors import InvalidInput
from shared.types import check_name


def clean_name(field: str, value: str) -> str:
    """``value`` stripped, refused when it holds control or invisible characters (look-alike names).

    The HTTP schemas refuse them already; this covers the CLI and every other caller.
    """
    value = value.strip()
    try:
        return check_name(value)
    except ValueError as exc:
        raise InvalidInput(f"{field}: {exc}.", errors=[{"field": field, "message": str(exc)}]) from None
