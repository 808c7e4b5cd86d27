"""Response models of the exploitation lists and statistics (G14) and the periodic reports (G11)."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from services.ngo_registry.schemas import Out
from shared.pagination import Page


class Column(Out):
    key: str
    heading: str


class TableOut(Page[dict[str, Any]]):
    """A list or statistic as JSON (``format=csv`` and ``format=xlsx`` give the same table as a file)."""

    # a table's own figures (a statistic's total, the legal basis, list (a)'s record) ride along
    model_config = ConfigDict(extra="allow")

    dataset: str
    title: str
    generated_on: str = Field(description="dd/mm/yyyy, Asia/Ho_Chi_Minh")
    columns: list[Column]


class RuleParameter(Out):
    value: Any
    document: str
    article: str
    effective: str


class RulesOut(Out):
    rule_set: str
    label: str
    parameters: dict[str, RuleParameter]


class ReportOut(Out):
    """A periodic report (G11): its title, period, legal basis and figures."""

    title: str
    year: int
    legal_basis: str
    generated_on: str


class ScanOut(Out):
    emitted: int
