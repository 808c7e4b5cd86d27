"""The legal basis of a rule: every threshold a service applies names the text it comes from.

Each service keeps its own values in its ``rules.py`` (a rule of one regulation lives in the
service that owns it); this module holds only the types they are written in, so that a
newer text can replace a value and the reports can cite where each one comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class LegalBasis:
    """Where a parameter comes from: the document, the article and when it took effect."""

    document: str
    article: str
    effective: date

    def cite(self) -> str:
        """The citation as a Vietnamese report prints it."""
        return f"{self.document}, {self.article} (hiệu lực {self.effective:%d/%m/%Y})"


@dataclass(frozen=True)
class Parameter(Generic[T]):
    """A legal parameter: its value and its basis."""

    value: T
    basis: LegalBasis


@dataclass(frozen=True)
class RuleSet:
    """One consistent set of a service's legal parameters: subclassed with ``Parameter`` fields."""

    code: str
    label: str

    def parameters(self) -> dict[str, Parameter[object]]:
        """Every parameter by name (for the API and documentation)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: value for name, value in values.items() if isinstance(value, Parameter)}
