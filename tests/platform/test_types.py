"""shared/types.py: bounded inputs are refused as validation errors, never reach the database."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from shared.types import MAX_ID, Id, Name, Offset, PatchModel, Text, clean_cell


class Body(BaseModel):
    id: Id = 1
    offset: Offset = 0
    text: Text = ""
    name: Name = "x"


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("id", 1, True), ("id", MAX_ID, True), ("id", 0, False), ("id", MAX_ID + 1, False),
        ("offset", 0, True), ("offset", -1, False), ("offset", MAX_ID + 1, False),
        ("text", "dòng 1\n\tdòng 2", True), ("text", "a\x00b", False), ("text", "a\x85b", False),
        ("name", "Sở Khoa học", True), ("name", "a\tb", False), ("name", "a\u200bb", False),
        ("name", " lề", False),
    ],
)
def test_bounded_inputs(field: str, value: object, ok: bool) -> None:
    if ok:
        assert getattr(Body(**{field: value}), field) == value
    else:
        with pytest.raises(ValidationError) as refused:
            Body(**{field: value})
        assert refused.value.errors()[0]["loc"] == (field,)


def test_clean_cell_replaces_refused_characters() -> None:
    assert clean_cell("a\x00b\x7fc") == "a\ufffdb\ufffdc"


class Patch(PatchModel):
    nullable = frozenset({"note"})
    name: str | None = None
    note: str | None = None


def test_patch_keeps_omitted_fields_and_refuses_null_where_the_column_cannot_hold_it() -> None:
    assert Patch().changes() == {}
    assert Patch(note=None).changes() == {"note": None}
    with pytest.raises(ValidationError, match="cannot be null"):
        Patch(name=None)
    with pytest.raises(ValidationError):
        Patch.model_validate({"unknown": 1})
    schema = Patch.model_json_schema()["properties"]
    assert "anyOf" not in schema["name"]  # null is not offered where it is refused
    assert any(o.get("type") == "null" for o in schema["note"]["anyOf"])
