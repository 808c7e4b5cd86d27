"""Request and response models of Party and State documents (G14 m)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import ConfigDict, Field

from services.ngo_registry.schemas import In, Out
from shared.types import Name, PatchModel, Text


class DocumentIn(In):
    number: Text = Field(min_length=1, max_length=100)
    title: Text = Field(min_length=1, max_length=1000)
    document_type: Text = Field(min_length=1, max_length=60)
    issuer: Name = Field(min_length=1, max_length=300)
    issued_on: date
    effective_on: date | None = None
    summary: Text | None = Field(default=None, max_length=20000)
    classification: Text | None = Field(default=None, max_length=30)


class DocumentPatch(PatchModel):
    """Edit a document; ``null`` clears only ``effective_on``, ``summary`` (and ``classification``, never stored)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    nullable: ClassVar[frozenset[str]] = frozenset({"effective_on", "summary", "classification"})

    number: Text | None = Field(default=None, min_length=1, max_length=100)
    title: Text | None = Field(default=None, min_length=1, max_length=1000)
    document_type: Text | None = Field(default=None, min_length=1, max_length=60)
    issuer: Name | None = Field(default=None, min_length=1, max_length=300)
    issued_on: date | None = None
    effective_on: date | None = None
    summary: Text | None = Field(default=None, max_length=20000)
    classification: Text | None = Field(default=None, max_length=30)


class DocumentOut(Out):
    id: int | None = None
    number: str
    title: str
    document_type: str
    document_type_label: str | None = None
    issuer: str
    issued_on: str | None = None
    effective_on: str | None = None
    summary: str | None = None
