"""Input types every schema and route shares, so hostile input is a 422 naming the field, never a 500.

- ``Id`` and ``Offset``: integers a database column can hold (1 … 2^63−1 and 0 … 2^63−1);
  SQLite raises ``OverflowError`` past 64 bits, PostgreSQL a ``NumericValueOutOfRange``.
- ``Text``: a string without control characters other than tab and newline (C0, DEL, C1).
  Stored text ends up in XLSX cells, CSV files and log lines, where a control character is
  either illegal (openpyxl refuses it) or a way to forge a line.
- ``Name``: ``Text`` that also refuses zero-width and bidirectional formatting characters and
  surrounding space, so two names that look alike are alike (usernames, organisation names).
- :class:`PatchModel`: the base of every PATCH body. A field left out is left alone; a field
  sent as ``null`` is refused unless the model lists it in ``nullable``, so a PATCH cannot
  null a required column.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

MAX_ID = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Offset = Annotated[int, Field(ge=0, le=MAX_ID)]

#: control characters refused in text: C0 but tab and newline, DEL, C1
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: invisible characters refused in names: zero-width, joiners, bidi controls, BOM, soft hyphen
INVISIBLE = re.compile(r"[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
CONTROL_PATTERN = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
NAME_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]*$"


def check_text(value: str) -> str:
    """Refuse control characters other than tab and newline."""
    found = CONTROL.search(value)
    if found:
        raise ValueError(f"control character U+{ord(found.group()):04X} is not allowed")
    return value


def check_name(value: str) -> str:
    """Refuse what :func:`check_text` refuses, tab and newline, invisible characters and edge spaces."""
    found = CONTROL.search(value) or re.search(r"[\t\n]", value) or INVISIBLE.search(value)
    if found:
        raise ValueError(f"character U+{ord(found.group()):04X} is not allowed in a name")
    if value != value.strip():
        raise ValueError("a name may not begin or end with white space")
    return value


Text = Annotated[str, AfterValidator(check_text), Field(json_schema_extra={"pattern": CONTROL_PATTERN})]
Name = Annotated[str, AfterValidator(check_name), Field(json_schema_extra={"pattern": NAME_PATTERN})]


def clean_cell(value: str) -> str:
    """Text already stored, made safe to write: every refused control character becomes U+FFFD."""
    return CONTROL.sub("\ufffd", value)


class PatchModel(BaseModel):
    """A partial update: omitted fields stay as they are; ``null`` only where ``nullable`` allows."""

    model_config = ConfigDict(extra="forbid")
    #: fields whose column may hold NULL, so ``null`` clears them
    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("this field cannot be null; leave it out to keep its value")
        return value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema: dict[str, Any] = handler(core_schema)
        schema = handler.resolve_ref_schema(schema)
        for name, prop in schema.get("properties", {}).items():
            if name in cls.nullable:
                continue
            options = prop.get("anyOf")
            if options and any(o.get("type") == "null" for o in options):
                rest = [o for o in options if o.get("type") != "null"]
                prop.pop("anyOf")
                if len(rest) == 1:
                    prop.update(rest[0])
                else:
                    prop["anyOf"] = rest
        return schema

    def changes(self) -> dict[str, Any]:
        """The fields the caller sent, with their values."""
        return self.model_dump(exclude_unset=True)
